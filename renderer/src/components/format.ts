/** How long ago, in the largest unit that is not zero: "just now", "4 min ago", "3 h ago", "12 d ago". */
export function ago(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A remaining time as a countdown: "2 d 3 h", "5 h 12 min", "4 min 09 s". */
export function remaining(ms: number): string {
  if (ms <= 0) return '0 s';
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}

export const seconds = (ms: number | null): string => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

export const percent = (share: number): string => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)} %`;

/** A duration set in seconds, in the unit an operator would say it in. */
export function duration(totalSeconds: number): string {
  if (totalSeconds >= 86_400 && totalSeconds % 86_400 === 0) return `${totalSeconds / 86_400} d`;
  if (totalSeconds >= 3_600 && totalSeconds % 3_600 === 0) return `${totalSeconds / 3_600} h`;
  if (totalSeconds >= 60 && totalSeconds % 60 === 0) return `${totalSeconds / 60} min`;
  return `${totalSeconds} s`;
}

export const time = (iso: string): string => new Date(iso).toLocaleTimeString();
export const dateTime = (iso: string): string => new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' });
