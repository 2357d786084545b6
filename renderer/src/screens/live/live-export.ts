import type { FleetDelivery } from '../../../../shared/contract/console.js';

/** The columns of an export, in order: what the screen shows plus the ids an incident report quotes. */
const COLUMNS = ['receivedAt', 'fleetId', 'nodeId', 'nodeUrl', 'integrationId', 'status', 'outcome', 'reason', 'diagnosis', 'sourceIp', 'deliveryId', 'requestId', 'seq'] as const;

/**
 * A cell a spreadsheet would run as a formula (it starts with = + - @, or a tab or carriage return
 * that some strip first) gets a leading apostrophe, so an attacker-chosen id or address in the log
 * stays text when the operator opens the file (OWASP "CSV injection").
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180: a header line, then one line per delivery, CRLF line ends. */
export function deliveriesCsv(deliveries: readonly FleetDelivery[]): string {
  const lines = [COLUMNS.join(',')];
  for (const delivery of deliveries) lines.push(COLUMNS.map((column) => csvCell(delivery[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function deliveriesJson(deliveries: readonly FleetDelivery[]): string {
  return `${JSON.stringify(deliveries, null, 2)}\n`;
}

/** Hands `text` to the browser as a file download. */
export function download(text: string, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // The browser reads the bytes when the download starts; a minute later nothing needs them.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
