import { Redis } from 'ioredis';

const BATCH = 1_000;
const MAX_ENTRIES = 200_000;

/** How many times each Stripe event id is in the integration's Redis Stream (the fleet's downstream queue). */
export async function streamEventCounts(redisUrl: string, keyPrefix: string, integration: string): Promise<Map<string, number>> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const counts = new Map<string, number>();
  try {
    await client.connect();
    let start = '-';
    for (let read = 0; read < MAX_ENTRIES; read += BATCH) {
      const entries = await client.xrange(`${keyPrefix}:stream:${integration}`, start, '+', 'COUNT', BATCH);
      for (const [, fields] of entries) {
        const id = (JSON.parse(fields[fields.indexOf('body') + 1] ?? '{}') as { id?: string }).id ?? '';
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      if (entries.length < BATCH) return counts;
      start = `(${entries.at(-1)![0]}`;
    }
    return counts;
  } finally {
    client.disconnect();
  }
}
