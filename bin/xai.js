#!/usr/bin/env node
// The `xai` command: runs the compiled CLI (npm run build, done by `npm ci` through the prepare script).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
