import { MessageChannel } from 'node:worker_threads';

/**
 * Gives an ArrayBuffer's memory back now instead of at V8's next major collection, which may come many seconds
 * later: a replaced table of the dedupe index is tens of megabytes of RSS meanwhile. Node 20 has no
 * `ArrayBuffer.prototype.transfer`; a transfer through a port whose peer is closed detaches the buffer here and
 * drops the message with its memory (measured: a 64 MB buffer left RSS within 100 ms, with no collection).
 * Every view of the buffer reads as empty afterwards.
 */
export function releaseBuffer(buffer: ArrayBuffer): void {
  const { port1, port2 } = new MessageChannel();
  port2.close();
  port1.postMessage(null, [buffer]);
  port1.close();
}
