#!/usr/bin/env node
// The gitops-bump command line: see `gitops-bump --help` and pkg/src/cli.js.
import { main } from '../src/cli.js';
import { tuneWasmTieringForOneShot } from '../src/tiering.js';

tuneWasmTieringForOneShot();
process.exitCode = await main(process.argv.slice(2));
