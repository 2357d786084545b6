import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../../../electron/main/services/fleets/sse-parser.js';

function parse(chunks: readonly (string | Uint8Array)[]) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = new SseParser({ onEvent: (event) => events.push(event), onComment: (text) => comments.push(text), onRetry: (ms) => retries.push(ms) });
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments, retries, parser };
}

describe('SseParser', () => {
  it('parses id, event and data, and dispatches on a blank line', () => {
    const { events } = parse(['id: 7\nevent: delivery\ndata: {"a":1}\n\n']);
    expect(events).toEqual([{ id: '7', event: 'delivery', data: '{"a":1}' }]);
  });

  it('reports comments as heartbeats and dispatches nothing for them', () => {
    const { events, comments } = parse([': connected\n\n: heartbeat\n\n']);
    expect(events).toEqual([]);
    expect(comments).toEqual(['connected', 'heartbeat']);
  });

  it('joins data lines with LF and defaults the type to message', () => {
    const { events } = parse(['data: one\ndata:two\ndata\n\n']);
    expect(events).toEqual([{ id: '', event: 'message', data: 'one\ntwo\n' }]);
  });

  it('accepts CRLF, LF and CR line ends, even split across chunks', () => {
    const { events } = parse(['id: 1\r\nevent: a\r', '\ndata: x\r\r', 'id: 2\rdata: y\n', '\n']);
    expect(events).toEqual([
      { id: '1', event: 'a', data: 'x' },
      { id: '2', event: 'message', data: 'y' },
    ]);
  });

  it('does not take an LF in a later chunk for a second line end after a CR and an empty chunk', () => {
    const { events } = parse(['data: x\r', '', '\n', '\n']);
    expect(events).toEqual([{ id: '', event: 'message', data: 'x' }]);
  });

  it('reassembles fields and multi-byte characters split anywhere', () => {
    const text = 'id: 42\nevent: delivery\ndata: {"name":"Zoë ✓"}\n\n';
    const bytes = new TextEncoder().encode(text);
    for (let split = 1; split < bytes.length; split++) {
      const { events } = parse([bytes.slice(0, split), bytes.slice(split)]);
      expect(events).toEqual([{ id: '42', event: 'delivery', data: '{"name":"Zoë ✓"}' }]);
    }
    const { events } = parse([...bytes].map((byte) => new Uint8Array([byte])));
    expect(events).toHaveLength(1);
  });

  it('keeps the last id across events, ignores ids with NUL, and counts the id of an event without data', () => {
    const { events, parser } = parse(['id: 5\ndata: a\n\n', 'data: b\n\n', 'id: 9\n\n', 'id: x\u0000y\ndata: c\n\n']);
    expect(events.map((event) => event.id)).toEqual(['5', '5', '9']);
    expect(parser.lastId).toBe('9');
  });

  it('removes only one space after the colon, ignores unknown fields, reads retry', () => {
    const { events, retries } = parse(['data:  two spaces\nfoo: bar\nretry: 1500\nretry: soon\n\n']);
    expect(events).toEqual([{ id: '', event: 'message', data: ' two spaces' }]);
    expect(retries).toEqual([1500]);
  });

  it('holds an unfinished event until its blank line, and forgets it on reset but keeps the id', () => {
    const { events, parser } = parse(['id: 3\ndata: a\n\nid: 4\ndata: half']);
    expect(events).toHaveLength(1);
    parser.reset();
    parser.push('\n\n');
    expect(events).toHaveLength(1);
    expect(parser.lastId).toBe('3');
  });

  it('refuses a line longer than its limit instead of buffering it forever', () => {
    const parser = new SseParser({ onEvent: () => undefined }, 100);
    expect(() => parser.push(`data: ${'x'.repeat(200)}`)).toThrow(/longer than 100/);
  });
});
