import { Fragment, useMemo } from 'react';
import { bytePieces, byteSummary, type BytePiece } from './raw-bytes.js';

/** Bytes shown at most; the download has them all. */
const SHOWN_BYTES = 20_000;

const hex = (byte: number): string => byte.toString(16).padStart(2, '0');

function Piece({ piece }: { piece: BytePiece }) {
  switch (piece.kind) {
    case 'text':
      return <>{piece.text}</>;
    case 'lf':
      // Escapes rather than symbols (␊): every monospace font has them. The marker, then the line
      // break itself, so that lines still read as lines.
      return (
        <>
          <span className="byte-mark" title="line feed (LF, 0x0a)">
            {'\\n'}
          </span>
          {'\n'}
        </>
      );
    case 'cr':
      return (
        <span className="byte-mark" title="carriage return (CR, 0x0d)">
          {'\\r'}
        </span>
      );
    case 'tab':
      return (
        <span className="byte-mark" title="tab (0x09)">
          {'\\t'}
        </span>
      );
    case 'hex':
      return (
        <span className={piece.why === 'not-utf8' ? 'byte-mark byte-bad' : 'byte-mark'} title={piece.why === 'not-utf8' ? 'a byte that is not UTF-8' : 'a control character'}>
          {`\\x${hex(piece.byte)}`}
        </span>
      );
  }
}

const ENDINGS = { lf: 'a line feed (LF)', crlf: 'CR LF', cr: 'a carriage return (CR)', none: 'no line end' } as const;

/** The body exactly as received: line ends, tabs, control characters and non-UTF-8 bytes made visible. */
export function RawBytes({ bytes }: { bytes: Uint8Array }) {
  const { pieces, truncated } = useMemo(() => bytePieces(bytes, SHOWN_BYTES), [bytes]);
  const summary = useMemo(() => byteSummary(bytes), [bytes]);
  return (
    <>
      <p className="small" aria-label="Byte summary">
        {summary.length} bytes · ends with {ENDINGS[summary.endsWith]} · {summary.lf} line feed{summary.lf === 1 ? '' : 's'}{summary.crlf > 0 ? `, ${summary.crlf} of them CR LF` : ''}
        {summary.invalidUtf8 > 0 ? ` · ${summary.invalidUtf8} bytes not UTF-8 (shown as hex)` : ' · valid UTF-8'}
      </p>
      <pre className="body raw-bytes">
        {pieces.map((piece, index) => (
          <Fragment key={index}>
            <Piece piece={piece} />
          </Fragment>
        ))}
        {truncated ? <span className="muted">{`\n… ${bytes.length - SHOWN_BYTES} more bytes: download the raw body`}</span> : null}
      </pre>
    </>
  );
}
