const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** The hour with milliseconds, local time: deliveries of one burst differ in the milliseconds. */
export function clockTime(iso: string): string {
  const at = new Date(iso);
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
}

/** Date, time with milliseconds, and the offset from UTC, for the hover text: what an incident report quotes. */
export function preciseTime(iso: string): string {
  const at = new Date(iso);
  const offset = -at.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${clockTime(iso)} UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}
