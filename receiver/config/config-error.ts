/** A problem in the config file, located by the file and the key path (e.g. `integrations[0].secrets[1].value`). */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly { readonly path: string; readonly message: string }[],
  ) {
    super(`invalid config ${file}:\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Renders a key path the way an operator reads YAML: `integrations[0].secrets[1].value`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}
