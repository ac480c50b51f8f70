import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WriterData } from './sqlite-writer.worker';

/** Under jest or ts-node this module is the .ts source; compiled, it is a .js file in dist/. */
const FROM_SOURCE = __filename.endsWith('.ts');
const WORKER_FILE = join(__dirname, `sqlite-writer.worker${FROM_SOURCE ? '.ts' : '.js'}`);

/** The worker's source, transpiled to CommonJS once per process (see startWriterThread). */
let transpiled: string | null = null;

function workerSource(): string {
  if (transpiled === null) {
    // Only when running from source: typescript is a devDependency, and the compiled build never gets here.
    const ts = createRequire(__filename)('typescript') as typeof import('typescript');
    const { outputText } = ts.transpileModule(readFileSync(WORKER_FILE, 'utf8'), {
      fileName: WORKER_FILE,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    // The module wrapper Node gives a CommonJS file, so that require resolves from the worker's own folder.
    transpiled =
      `const { createRequire } = require('node:module');\n` +
      `(function (exports, require, module, __filename, __dirname) {\n${outputText}\n})` +
      `({}, createRequire(${JSON.stringify(WORKER_FILE)}), { exports: {} }, ${JSON.stringify(WORKER_FILE)}, ${JSON.stringify(dirname(WORKER_FILE))});`;
  }
  return transpiled;
}

/**
 * Starts the store's writer thread (sqlite-writer.worker) with `data`, whose `replies` port is
 * transferred to it. Compiled, the worker is the .js file beside this one. From source (jest,
 * ts-node), its .ts file is transpiled here once per process and run as code: a worker started
 * with ts-node's register hook (as the word-diff pool's is) took 0.6-1 s to start on this machine
 * class, once per store, and the tests open hundreds of stores.
 */
export function startWriterThread(data: WriterData): Worker {
  // execArgv: none of the parent's (a ts-node parent's "-r ts-node/register" alone costs 0.4 s per thread).
  const options = { workerData: data, transferList: [data.replies], execArgv: [] };
  return FROM_SOURCE ? new Worker(workerSource(), { ...options, eval: true }) : new Worker(WORKER_FILE, options);
}
