import { z } from 'zod';
import { query } from './define.js';

/** What the running shell can do; lets the renderer adapt (folder picker vs. path field). */
export const ShellInfo = z.object({
  shell: z.enum(['electron', 'headless', 'cli']),
  version: z.string(),
  canPickFolders: z.boolean(),
  home: z.string(),
});
export type ShellInfo = z.infer<typeof ShellInfo>;

/** Operations answered by the shell rather than the core. */
export const shellOperations = {
  'shell.info': query({
    summary: 'Describe the running shell',
    input: z.object({}).strict(),
    output: ShellInfo,
  }),
  'shell.pickFolder': query({
    summary: 'Ask the user for a folder with the native picker (Electron only; others answer NOT_SUPPORTED)',
    input: z.object({ title: z.string().max(200).optional() }).strict(),
    output: z.object({ path: z.string().nullable() }),
  }),
} as const;
