/** How one line of a unified diff is shown. */
export type DiffLineKind = 'add' | 'del' | 'context' | 'hunk' | 'file' | 'meta' | 'plain';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
/** Combined diffs (`@@@ -a -b +c @@@`) and hand-written hunks without ranges. */
const LOOSE_HUNK = /^@@+ .*@@+/;
const FILE_HEADER =
  /^(?:diff (?:--git|--cc|-)|index [0-9a-f]|--- |\+\+\+ |new file mode |deleted file mode |old mode |new mode |similarity index |dissimilarity index |rename from |rename to |copy from |copy to |Binary files )/;

/** Where a text shows itself to be a diff: a `diff --git` line, a `--- `/`+++ ` header pair, or a hunk header. */
const DIFF_MARKER = /^(?:diff --git \S|--- [^\r\n]*\r?\n\+\+\+ |@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)/m;

/**
 * Whether `text` is (or holds) a unified diff or git diff output. A markdown list of `- ` / `+ ` lines
 * is not: it takes file headers or a hunk header.
 */
export function isUnifiedDiff(text: string): boolean {
  return text.includes('\n') && DIFF_MARKER.test(text);
}

/**
 * Splits a diff into lines and says what each is. Inside a hunk the `@@ -a,b +c,d @@` counts decide, so a
 * deleted line that reads `-- x` is a deletion, not a file header; text before the first header is plain.
 */
export function classifyDiff(text: string): DiffLine[] {
  const out: DiffLine[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  let seenHunk = false;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const c = line.charAt(0);
    if (oldLeft > 0 || newLeft > 0) {
      if (c === '+' && newLeft > 0) {
        newLeft--;
        out.push({ kind: 'add', text: line });
        continue;
      }
      if (c === '-' && oldLeft > 0) {
        oldLeft--;
        out.push({ kind: 'del', text: line });
        continue;
      }
      if (c === ' ' || line === '') {
        oldLeft--;
        newLeft--;
        out.push({ kind: 'context', text: line });
        continue;
      }
      if (c === '\\') {
        out.push({ kind: 'meta', text: line });
        continue;
      }
      // The counts were wrong: read the line as if outside a hunk.
      oldLeft = 0;
      newLeft = 0;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      seenHunk = true;
      oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
      out.push({ kind: 'hunk', text: line });
    } else if (LOOSE_HUNK.test(line)) {
      seenHunk = true;
      out.push({ kind: 'hunk', text: line });
    } else if (FILE_HEADER.test(line)) {
      out.push({ kind: 'file', text: line });
    } else if (c === '\\') {
      out.push({ kind: 'meta', text: line });
    } else if (seenHunk && c === '+') {
      out.push({ kind: 'add', text: line });
    } else if (seenHunk && c === '-') {
      out.push({ kind: 'del', text: line });
    } else if (seenHunk && c === ' ') {
      out.push({ kind: 'context', text: line });
    } else {
      out.push({ kind: 'plain', text: line });
    }
  }
  return out;
}
