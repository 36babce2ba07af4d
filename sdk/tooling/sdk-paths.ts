import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the SDK and its compiler live, found from this file (works from the source tree through tsx and
 * from the compiled `out/node` tree, which keeps the source layout one level down).
 */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'sdk', 'assembly', 'index.ts')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the Cairn repository root (sdk/assembly/index.ts) above ' + fileURLToPath(import.meta.url));
}

/** The repository root (holds package.json, sdk/, node_modules/). */
export const REPO_ROOT = findRepoRoot();
/** The AssemblyScript guest SDK, imported by guests as `cairn-sdk`. */
export const SDK_ASSEMBLY_DIR = path.join(REPO_ROOT, 'sdk', 'assembly');
/** Extension templates (`cairn ext new`). */
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'sdk', 'templates');
/** JSON Schemas published for authors. */
export const SCHEMAS_DIR = path.join(REPO_ROOT, 'sdk', 'schemas');
/** node_modules holding assemblyscript and json-as. */
export const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');
/** The json-as transform, by absolute path so extensions outside the repo build too. */
export const JSON_AS_TRANSFORM = path.join(NODE_MODULES, 'json-as', 'transform', 'lib', 'index.js');
/** The guest abort handler every build uses (`--use abort=…`). */
export const ABORT_HANDLER = '~lib/cairn-sdk/host/cairnAbort';
