/** A GitHub-flavoured Markdown table; cells have their pipes and line breaks escaped. */
export function markdownTable(headings: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
  return [`| ${headings.join(' | ')} |`, `|${headings.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}
