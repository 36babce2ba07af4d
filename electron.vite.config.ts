import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * electron-vite builds the two browser-side bundles: the sandboxed preload (CommonJS, as Electron's
 * sandbox requires) and the React renderer. The main process is compiled by `tsc -p tsconfig.node.json`
 * into `out/node` instead: the core starts worker threads from files that sit beside their callers,
 * and keeping the source layout (rather than one bundle) is what makes that work in every shell.
 */
export default defineConfig({
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
