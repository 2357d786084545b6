#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Under load V8 doubles the young generation up to two 16 MB semi-spaces per isolate (the event loop's and each
// store thread's) and keeps them committed: ~30 MB of the node's RSS for garbage that lives a few milliseconds.
// Growth factor 1 keeps each at its initial 1 MB semi-spaces: measured with a 1,000,000-row log through the bench's
// write sequence, the peak RSS fell from 229-237 to 194 MB, scavenges on the event loop rose from ~300 to ~430 a
// minute of load. Only this flag is read after start-up (--max-semi-space-size is not), and it must be set before
// the receiver's modules load, which static imports would evaluate first.
setFlagsFromString('--semi-space-growth-factor=1');
// The receiver is written in TypeScript and compiled by `npm run build` (run by `npm install` through `prepare`).
await import('../dist/receiver/cli.js');
