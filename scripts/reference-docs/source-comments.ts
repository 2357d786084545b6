import { readFileSync } from 'node:fs';
import ts from 'typescript';

/**
 * The comments written above each key of the zod schemas in a source file, by the key's path
 * (`admin.tokens.sha256`; arrays add nothing). A schema declared as a constant of its own is placed
 * by `place` (its name → the path where it is used), since its keys do not say so.
 */
export function keyComments(file: string, place: (constant: string) => string | undefined): Map<string, string> {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const comments = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isIdentifier(node.name)) {
      const comment = leadingComment(text, node.getFullStart());
      if (comment) comments.set(pathOf(node, place), comment);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return comments;
}

function pathOf(node: ts.Node, place: (constant: string) => string | undefined): string {
  const names: string[] = [];
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if ((ts.isPropertyAssignment(current) || ts.isShorthandPropertyAssignment(current)) && ts.isIdentifier(current.name)) names.unshift(current.name.text);
    if (ts.isVariableDeclaration(current) && ts.isIdentifier(current.name)) {
      const prefix = place(current.name.text);
      if (prefix) names.unshift(prefix);
      break;
    }
  }
  return names.join('.');
}

/** `/** … *\/` or `// …` lines right above a key, as one sentence-like line. */
function leadingComment(text: string, position: number): string | undefined {
  const ranges = ts.getLeadingCommentRanges(text, position) ?? [];
  const parts = ranges.map((range) =>
    text
      .slice(range.pos, range.end)
      .replace(/^\/\*\*?|\*\/$/g, '')
      .split('\n')
      .map((line) => line.replace(/^\s*(\*|\/\/)\s?/, '').trim())
      .filter(Boolean)
      .join(' '),
  );
  const joined = parts.join(' ').trim();
  return joined === '' ? undefined : joined;
}
