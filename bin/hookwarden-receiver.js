#!/usr/bin/env node
// The receiver is written in TypeScript and compiled by `npm run build` (run by `npm install` through `prepare`).
import '../dist/receiver/cli.js';
