/** Types of render-template.mjs, a plain script so that operators run it with node alone. */
export function renderTemplate(template: string, values: Record<string, string | readonly string[]>): string;
