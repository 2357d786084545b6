/** One dispatched server-sent event. */
export interface SseEvent {
  /** The last event ID seen on the stream so far (it carries over events without an `id:` line). */
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

export interface SseHandlers {
  readonly onEvent: (event: SseEvent) => void;
  /** A comment line (`: heartbeat`): the node is alive even when nothing happens. */
  readonly onComment?: (text: string) => void;
  /** The `retry:` field, in milliseconds. */
  readonly onRetry?: (ms: number) => void;
}

/** A line longer than this is not an event any node sends; refusing it bounds what a broken stream can make us hold. */
const DEFAULT_MAX_LINE = 4 * 1024 * 1024;

/**
 * The event stream format of the HTML Living Standard ("Parsing an event stream"), fed in chunks:
 * lines end in CRLF, LF or CR (a CR at the end of one chunk and an LF at the start of the next are
 * one line end); `field: value` with one optional space after the colon; `data` lines joined with
 * LF; a blank line dispatches; an event with no data is not dispatched, but its `id` still counts;
 * an `id` containing NUL is ignored.
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  /** The previous chunk ended in CR: an LF at the start of this one belongs to it. */
  private skipLeadingLf = false;
  /** The id as read so far, committed to `lastEventId` when an event is dispatched (as the standard's "last event ID buffer"). */
  private idBuffer = '';
  private lastEventId = '';
  private eventType = '';
  private data: string[] = [];

  constructor(
    private readonly handlers: SseHandlers,
    private readonly maxLine = DEFAULT_MAX_LINE,
  ) {}

  /** The id to resume from (`Last-Event-ID`): the one of the last complete event. */
  get lastId(): string {
    return this.lastEventId;
  }

  push(chunk: Uint8Array | string): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.skipLeadingLf && text.length > 0) {
      this.skipLeadingLf = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    let start = 0;
    for (;;) {
      const end = lineEnd(this.buffer, start);
      if (end < 0) break;
      this.line(this.buffer.slice(start, end));
      if (this.buffer[end] === '\r') {
        if (end + 1 === this.buffer.length) {
          this.skipLeadingLf = true;
          start = end + 1;
        } else {
          start = this.buffer[end + 1] === '\n' ? end + 2 : end + 1;
        }
      } else {
        start = end + 1;
      }
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > this.maxLine) {
      this.buffer = '';
      throw new Error(`an event stream line is longer than ${this.maxLine} characters`);
    }
  }

  /** Forgets a half-received event (the connection dropped mid-event); the last event ID is kept for the resume. */
  reset(): void {
    this.buffer = '';
    this.skipLeadingLf = false;
    this.idBuffer = this.lastEventId;
    this.eventType = '';
    this.data = [];
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.handlers.onComment?.(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
      // Unknown fields are ignored, as the standard says.
    }
  }

  private dispatch(): void {
    const data = this.data;
    const type = this.eventType;
    this.data = [];
    this.eventType = '';
    this.lastEventId = this.idBuffer;
    if (data.length === 0) return;
    this.handlers.onEvent({ id: this.lastEventId, event: type === '' ? 'message' : type, data: data.join('\n') });
  }
}

function lineEnd(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 10 || char === 13) return index;
  }
  return -1;
}
