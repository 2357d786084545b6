import { constants, createDeflateRaw, deflateRawSync, type DeflateRaw } from 'node:zlib';

/** The parts of a zlib stream that drive its engine synchronously (Node's own `zlibBufferSync` uses them). */
interface EngineInternals {
  readonly _handle?: {
    writeSync(flush: number, input: Buffer, inOffset: number, inLength: number, output: Buffer, outOffset: number, outLength: number): void;
    reset(): void;
  };
  /** After each write: [output space left, input left]. */
  readonly _writeState?: Uint32Array;
}

/** Room for a ~1 KB delivery's capture in one pass; a bigger one continues in further chunks. */
const OUTPUT_BYTES = 16 * 1024;

/**
 * Deflates captures one after another with one zlib engine, reset between them. `deflateRawSync`
 * builds an engine for every call (a stream object, about 256 KB of window and hash tables allocated
 * and cleared, the dictionary loaded) and that was two thirds of its cost: 17-27 µs a capture against
 * 7-9 reused (measured on the bench's delivery). Resetting reloads the preset dictionary, so the output
 * is, after the prefix byte, byte for byte what `deflateRawSync` writes with the same options (a unit test holds it to that).
 *
 * Node offers no public way to reuse an engine synchronously: this drives the stream's handle as
 * `zlibBufferSync` does. Where a Node version lacks that handle, every call falls back to
 * `deflateRawSync`, slower but the same bytes. Not reentrant: one per thread, used synchronously.
 */
export class CaptureDeflater {
  private readonly engine: DeflateRaw;
  private readonly internals: EngineInternals;
  private input = Buffer.allocUnsafe(4096);
  private readonly output = Buffer.allocUnsafe(OUTPUT_BYTES);

  /** `prefix`: one byte written as it is in front of the deflated stream (a format byte), so the result needs no copy to carry it. */
  constructor(private readonly options: { readonly level: number; readonly dictionary: Buffer; readonly prefix: number }) {
    this.engine = createDeflateRaw({ level: options.level, dictionary: options.dictionary });
    this.internals = this.engine as unknown as EngineInternals;
  }

  /**
   * The prefix byte, then the UTF-8 of `text`, one `separator` byte and `body`, deflated. The result
   * stays valid until the next call (it may share this deflater's buffer).
   */
  deflate(text: string, separator: number, body: Buffer): Buffer {
    const textBytes = Buffer.byteLength(text);
    const length = textBytes + 1 + body.length;
    if (this.input.length < length) this.input = Buffer.allocUnsafe(Math.max(length, this.input.length * 2));
    const input = this.input;
    input.write(text, 0, textBytes);
    input[textBytes] = separator;
    body.copy(input, textBytes + 1);
    const { _handle: handle, _writeState: state } = this.internals;
    if (!handle || !state) return Buffer.concat([Buffer.of(this.options.prefix), deflateRawSync(input.subarray(0, length), { level: this.options.level, dictionary: this.options.dictionary })]);
    return this.finish(handle, state, input, length);
  }

  private finish(handle: NonNullable<EngineInternals['_handle']>, state: Uint32Array, input: Buffer, length: number): Buffer {
    this.output[0] = this.options.prefix;
    const chunks: Buffer[] = [];
    let outOffset = 1;
    let inOffset = 0;
    let inLength = length;
    for (;;) {
      handle.writeSync(constants.Z_FINISH, input, inOffset, inLength, this.output, outOffset, OUTPUT_BYTES - outOffset);
      // zlib reports an error through the stream, which it destroys (a deflater meets none on any input).
      if (this.engine.destroyed) throw new Error('the capture deflater failed');
      const outputLeft = state[0] as number;
      const inputLeft = state[1] as number;
      const produced = this.output.subarray(0, OUTPUT_BYTES - outputLeft);
      if (outputLeft > 0 && chunks.length === 0) {
        handle.reset();
        return produced;
      }
      chunks.push(Buffer.from(produced));
      if (outputLeft > 0) break;
      outOffset = 0;
      inOffset += inLength - inputLeft;
      inLength = inputLeft;
    }
    handle.reset();
    return Buffer.concat(chunks);
  }
}
