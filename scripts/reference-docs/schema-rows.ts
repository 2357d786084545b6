/** One line of a reference table: a key of a JSON Schema (from zod's `toJSONSchema`) and what it accepts. */
export interface SchemaRow {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultValue: string;
  readonly constraints: string;
  /** The union variants (by their discriminator value) the key belongs to; empty when it belongs to all. */
  readonly onlyFor: readonly string[];
  /** The variants it does not belong to, when that is the shorter list. */
  readonly exceptFor: readonly string[];
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  additionalProperties?: JsonSchema | boolean;
};

/** Rows for every key under `schema`, depth first, in the schema's own order. */
export function schemaRows(schema: JsonSchema, path = ''): SchemaRow[] {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants && variants.every((variant) => variant.properties)) return unionRows(variants, path);
  const rows: SchemaRow[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    rows.push({ path: childPath, type: typeName(child), required: schema.required?.includes(key) ?? false, defaultValue: defaultText(child), constraints: constraintText(child), onlyFor: [], exceptFor: [] });
    const inner = child.type === 'array' ? child.items : child;
    if (inner && (inner.properties || inner.anyOf?.some((variant) => variant.properties) || inner.oneOf)) {
      rows.push(...schemaRows(inner, child.type === 'array' ? `${childPath}[]` : childPath));
    }
  }
  return rows;
}

/** A discriminated union: keys every variant has, once; the others marked with the variants that have them. */
function unionRows(variants: JsonSchema[], path: string): SchemaRow[] {
  const discriminator = Object.keys(variants[0]?.properties ?? {}).find((key) => variants.every((variant) => variant.properties?.[key]?.const !== undefined));
  const labels = variants.map((variant) => String(discriminator ? variant.properties?.[discriminator]?.const : ''));
  const discriminatorPath = path ? `${path}.${discriminator}` : discriminator;
  const merged = new Map<string, { row: SchemaRow; having: string[] }>();
  variants.forEach((variant, index) => {
    for (const row of schemaRows(Object.fromEntries(Object.entries(variant).filter(([key]) => key !== 'anyOf' && key !== 'oneOf')) as JsonSchema, path)) {
      const seen = merged.get(row.path);
      if (seen) seen.having.push(labels[index] ?? '');
      else merged.set(row.path, { row, having: [labels[index] ?? ''] });
    }
  });
  return [...merged.values()].map(({ row, having }) =>
    row.path === discriminatorPath
      ? { ...row, type: `one of ${labels.map((value) => JSON.stringify(value)).join(', ')}`, onlyFor: [], exceptFor: [] }
      : having.length === variants.length
        ? row
        : having.length * 2 > variants.length
          ? { ...row, onlyFor: [], exceptFor: labels.filter((label) => !having.includes(label)) }
          : { ...row, onlyFor: having, exceptFor: [] },
  );
}

function typeName(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.every((variant) => variant.type === 'object') ? 'object' : [...new Set(variants.map(typeName))].join(' or ');
  if (schema.type === 'array') return `list of ${schema.items ? typeName(schema.items) : 'anything'}`;
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (schema.type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object') return `map of ${typeName(schema.additionalProperties)}`;
  return schema.format ? `${schema.type ?? 'any'} (${schema.format})` : (schema.type ?? 'any');
}

function defaultText(schema: JsonSchema): string {
  if (schema.default === undefined) return '';
  if (typeof schema.default === 'object' && schema.default !== null && Object.keys(schema.default).length === 0 && !Array.isArray(schema.default)) return '';
  return `\`${JSON.stringify(schema.default)}\``;
}

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

function constraintText(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
  if (schema.minimum !== undefined && schema.minimum > -UNBOUNDED) parts.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined && schema.maximum < UNBOUNDED) parts.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined && schema.minLength > 0) parts.push(`at least ${schema.minLength} character${schema.minLength === 1 ? '' : 's'}`);
  if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
  if (schema.minItems !== undefined && schema.minItems > 0) parts.push(`at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
  // A format (date-time, uri…) says it in words; its generated pattern says nothing more to a reader.
  if (schema.pattern && !schema.format) parts.push(`matches \`${schema.pattern.replace(/\|/g, '\\|')}\``);
  const items = schema.type === 'array' ? schema.items : undefined;
  if (items?.pattern) parts.push(`each matches \`${items.pattern.replace(/\|/g, '\\|')}\``);
  return parts.join(', ');
}
