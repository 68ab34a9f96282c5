// Runs before any TypeScript is loaded (`node --import`, as `npm start` and the
// Docker image start the service): turns on Node's compile cache, which keeps
// each .ts file's type-stripped source (and V8's code cache) on disk between
// starts. A start that finds every file there never loads Node's TypeScript
// stripper (amaro, a WebAssembly build of SWC), which would otherwise stay in
// memory for the life of the process: about 18 MB of RSS (issue 15). A file
// changed since its entry was written is stripped again, so the cache is never
// stale, only cold: the first start after an install or an update pays the 18 MB
// until it is restarted.
//
// Where: NODE_COMPILE_CACHE when set (Node then has it on before this runs),
// else node_modules/.cache/agentgate-compile, else the system temp directory.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Plain JavaScript; a Node without
// module.enableCompileCache (before 22.8) just goes without.
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (typeof module.enableCompileCache === 'function' && process.env.NODE_DISABLE_COMPILE_CACHE === undefined) {
  const { status } = module.enableCompileCache(process.env.NODE_COMPILE_CACHE ?? path.join(root, 'node_modules', '.cache', 'agentgate-compile'));
  // FAILED: the directory cannot be written (a read-only install); the temp directory then.
  if (status === module.constants.compileCacheStatus.FAILED) module.enableCompileCache();
}
