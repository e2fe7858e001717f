/** The entry the runner starts (`node dist/index.js`): one run, its exit code. */
import { tuneWasmTieringForOneShot } from '../../pkg/src/tiering.js';
import { run } from './main.js';

tuneWasmTieringForOneShot();
process.exitCode = await run();
