import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The console's non-secret settings (fleets, node URLs, pinned CA or fingerprint, preferences), as
 * JSON in the user-data folder. Tokens and secrets live in the vault; a guard refuses to write
 * anything that looks like one, so a bug cannot put one on disk.
 */
const fleetSettings = z.object({
  id: z.string(),
  name: z.string(),
  nodes: z.array(z.object({ url: z.string() })),
  ca: z.string().optional(),
  fingerprint: z.string().optional(),
  tokenStorage: z.enum(['keychain', 'session']),
});
export type FleetSettings = z.infer<typeof fleetSettings>;

const settingsSchema = z.object({
  version: z.literal(1),
  fleets: z.array(fleetSettings),
  localReceiver: z.object({ port: z.number().int().min(0).max(65_535).optional() }),
  preferences: z.object({ theme: z.enum(['system', 'light', 'dark']).optional() }),
});
export type Settings = z.infer<typeof settingsSchema>;

const EMPTY: Settings = { version: 1, fleets: [], localReceiver: {}, preferences: {} };
const SECRET_KEYS = /token|secret|password|private/i;
const SECRET_VALUES = /^(whsec_|whsk_|sk_live_|sk_test_)|-----BEGIN [A-Z ]*PRIVATE KEY/;

export class SettingsFile {
  private constructor(
    private readonly path: string,
    private settings: Settings,
    /** Why the file on disk could not be used, when it could not; the console shows it once. */
    readonly problem: string | undefined,
  ) {}

  /** Reads the file; a missing one is empty settings, an unreadable one is set aside (never lost) and replaced. */
  static open(path: string): Promise<SettingsFile> {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve(new SettingsFile(path, EMPTY, undefined));
      throw error;
    }
    let settings: Settings;
    try {
      settings = settingsSchema.parse(JSON.parse(text));
    } catch {
      const aside = `${path}.corrupt-${Date.now()}`;
      renameSync(path, aside);
      return Promise.resolve(new SettingsFile(path, EMPTY, `the settings file could not be read and was moved to ${aside}`));
    }
    const file = new SettingsFile(path, settings, undefined);
    // An older console wrote node URLs with a user name and password in them: they go now.
    const cleaned = withoutUrlCredentials(settings);
    return cleaned === settings ? Promise.resolve(file) : file.update(() => cleaned).then(() => file);
  }

  current(): Settings {
    return this.settings;
  }

  /** Applies `change` and writes the result atomically: a crash leaves the old file or the new one, never half of one. */
  async update(change: (current: Settings) => Settings): Promise<Settings> {
    const changed = change(this.settings);
    // Checked before parsing: parsing would silently drop an unknown key like `token`, hiding the bug.
    assertNoSecrets(changed, 'settings');
    const next = settingsSchema.parse(changed);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(next, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    this.settings = next;
    return next;
  }
}

/** The settings with any `user:password@` removed from node URLs; the same object when there was none. */
function withoutUrlCredentials(settings: Settings): Settings {
  let changed = false;
  const fleets = settings.fleets.map((fleet) => ({
    ...fleet,
    nodes: fleet.nodes.map(({ url }) => {
      const clean = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
      changed ||= clean !== url;
      return { url: clean };
    }),
  }));
  return changed ? { ...settings, fleets } : settings;
}

function assertNoSecrets(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (SECRET_VALUES.test(value)) throw new Error(`refusing to write a secret-looking value to the settings file at ${path}`);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (SECRET_KEYS.test(key) && key !== 'tokenStorage') throw new Error(`refusing to write "${key}" to the settings file at ${path}`);
    assertNoSecrets(child, `${path}.${key}`);
  }
}
