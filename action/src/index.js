/** The entry the runner starts (`node dist/index.js`): one run, its exit code. */
import { run } from './main.js';

process.exitCode = await run();
