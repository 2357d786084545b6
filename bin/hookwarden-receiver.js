#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Under load V8 doubles the young generation up to two 16 MB semi-spaces per isolate (the event loop's and each
// store thread's) and keeps them committed: ~30 MB of the node's RSS for garbage that lives a few milliseconds.
// Growth factor 1 keeps each at its initial 1 MB semi-spaces: with a 1,000,000-row log through the bench's write
// sequence the peak RSS read 229 and 237 MB before, 211 and 216 after (with the store threads' cap, start-worker.ts),
// and the event loop's heap peaked at 56 MB instead of 73, at no more instructions per delivery (callgrind). Only this
// flag is read after start-up (--max-semi-space-size is not), and it must be set before the receiver's modules load,
// which static imports would evaluate first.
setFlagsFromString('--semi-space-growth-factor=1');
// The receiver is written in TypeScript and compiled by `npm run build` (run by `npm install` through `prepare`).
await import('../dist/receiver/cli.js');
