// Import rules between top-level folders (see docs/architecture.md). A wrong import fails `npm run lint`,
// which `npm test` runs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'url'];

/** Builds a `no-restricted-imports` rule from forbidden module patterns and a reason. */
function forbid(groups) {
  return { 'no-restricted-imports': ['error', { patterns: groups }] };
}

export const importRules = [
  {
    // src-shared: pure TypeScript. No node, no DOM libraries, no electron, nothing outside itself.
    files: ['src-shared/**/*.ts'],
    rules: forbid([
      { group: ['electron', ...nodeBuiltins], message: 'src-shared is pure TS: no node:*, no electron.' },
      { group: ['**/src-main/**', '**/src-renderer/**', '**/src-preload/**', '**/extension-host/**', '**/migrations/**', 'react', 'react-dom'], message: 'src-shared imports nothing outside itself.' },
    ]),
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: forbid([
      { group: ['electron', ...nodeBuiltins], message: 'The renderer runs in a browser sandbox: no node, no electron.' },
      { group: ['**/src-main/**', '**/src-preload/**', '**/extension-host/**', '**/migrations/**'], message: 'The renderer talks to main only through the bridge (src-shared).' },
    ]),
  },
  {
    files: ['src-preload/**/*.ts'],
    rules: forbid([
      { group: ['**/src-main/**', '**/src-renderer/**', '**/extension-host/**', '**/migrations/**'], message: 'Preload may import only src-shared and electron.' },
    ]),
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: forbid([
      { group: ['electron'], message: 'The core runs in plain Node: it never imports electron.' },
      // Relative forms too: from src-main/core/x/, a shell is `../../server/...`.
      { group: ['**/src-main/electron/**', '**/src-main/server/**', '**/src-main/cli/**', '**/src-renderer/**', '**/src-preload/**', '**/extension-host/**', '../../server/**', '../../cli/**', '../../electron/**', '../server/**', '../cli/**', '../electron/**'], message: 'The core does not depend on its shells, the renderer, or the extension host.' },
    ]),
  },
  {
    files: ['src-main/server/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: forbid([
      { group: ['electron'], message: 'Only src-main/electron imports electron.' },
      { group: ['**/src-renderer/**', '**/src-preload/**'], message: 'Shells reach the renderer over the bridge only.' },
      { group: ['../electron/**', '**/src-main/electron/**'], message: 'Only src-main/electron imports electron, directly or through its modules.' },
    ]),
  },
  {
    files: ['src-main/electron/**/*.ts'],
    rules: forbid([
      { group: ['**/src-renderer/**', '**/src-preload/**'], message: 'The Electron shell loads the renderer and preload as files, never imports them.' },
    ]),
  },
  {
    files: ['extension-host/**/*.ts'],
    rules: forbid([
      { group: ['electron'], message: 'The extension host runs in plain Node.' },
      { group: ['**/src-main/electron/**', '**/src-main/server/**', '**/src-main/cli/**', '**/src-renderer/**', '**/src-preload/**'], message: 'The extension host reaches the core through the registry, not through a shell.' },
    ]),
  },
  {
    files: ['migrations/**/*.ts'],
    rules: forbid([
      { group: ['**/src-*/**', '**/extension-host/**', 'electron', 'better-sqlite3'], message: 'Migrations depend on kysely only, so they never change when the code does.' },
    ]),
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'playwright-report/**', '**/build/**', 'sdk/assembly/**', 'extensions/**/assembly/**', 'extensions/**/src/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
  ...importRules,
);
