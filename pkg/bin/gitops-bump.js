#!/usr/bin/env node
// The gitops-bump command line: see `gitops-bump --help` and pkg/src/cli.js.
import { main } from '../src/cli.js';

process.exitCode = await main(process.argv.slice(2));
