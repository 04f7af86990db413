import { readFileSync } from 'node:fs';

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, as given. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's info string: its first word is the language (`ts`, `sh`…). */
  readonly info: string;
  readonly language: string;
  readonly code: string;
  /**
   * Marked as not meant to run on its own: an HTML comment `<!-- fragment … -->` on the
   * line before the fence (invisible once rendered), or `fragment` in the info string.
   */
  readonly fragment: boolean;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const FRAGMENT_COMMENT = /^\s*<!--\s*fragment\b.*-->\s*$/;

/** The fenced code blocks of a Markdown file, in order (CommonMark fences, no nesting). */
export function codeBlocks(file: string, text: string = readFileSync(file, 'utf8')): CodeBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index]!);
    if (open === null) continue;
    const [, indent = '', fence = '', rest = ''] = open;
    const info = rest.trim();
    const body: string[] = [];
    let end = index + 1;
    // The closing fence: the same character, at least as long, nothing after it.
    while (end < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[end]!)) {
      body.push(lines[end]!.startsWith(indent) ? lines[end]!.slice(indent.length) : lines[end]!);
      end++;
    }
    const previous = index > 0 ? lines[index - 1]! : '';
    blocks.push({
      file,
      line: index + 1,
      info,
      language: info.split(/\s+/)[0] ?? '',
      code: `${body.join('\n')}\n`,
      fragment: FRAGMENT_COMMENT.test(previous) || info.split(/\s+/).slice(1).includes('fragment'),
    });
    index = end;
  }
  return blocks;
}
