import { z } from 'zod';
import { query } from './define.js';

/** What the running shell can do; lets the renderer adapt (folder picker vs. path field). */
export const ShellInfo = z.object({
  shell: z.enum(['electron', 'headless', 'cli']),
  version: z.string(),
  /** A native picker exists for folders (`shell.pickFolder`) and files (`shell.pickFile`): Electron only. */
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
  /**
   * Asks the user for one file with the native picker, optionally limited to some extensions (without the dot).
   * `path` is null when the user cancels.
   *
   * Failure modes: `NOT_SUPPORTED` in shells without a native picker (headless, CLI): the UI shows a path field.
   *
   * @example
   * invoke('shell.pickFile', { title: 'Choose an extension package', extensions: ['cairnext'] }) // → { path: '/home/ada/Downloads/photos.cairnext' }
   */
  'shell.pickFile': query({
    summary: 'Ask the user for a file with the native picker (Electron only; others answer NOT_SUPPORTED)',
    input: z
      .object({
        title: z.string().max(200).optional(),
        extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/, 'an extension is letters and digits, without the dot')).max(10).optional(),
      })
      .strict(),
    output: z.object({ path: z.string().nullable() }),
  }),
} as const;
