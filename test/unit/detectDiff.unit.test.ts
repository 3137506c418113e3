import { describe, expect, it } from 'vitest';
import { classifyDiff, isUnifiedDiff } from '../../client/state/detectDiff.ts';

const kinds = (text: string) => classifyDiff(text).map((l) => l.kind);

describe('isUnifiedDiff', () => {
  it.each([
    [
      'git diff output',
      'diff --git a/x b/x\nindex 1234567..89abcde 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b',
    ],
    ['file headers only', '--- a/x.txt\n+++ b/x.txt\n'],
    ['a hunk without file headers', '@@ -10,2 +10,2 @@ fn main\n-a\n+b'],
    [
      'a diff after some prose',
      'Applied the patch:\n--- old.ts\t2026-01-01\n+++ new.ts\t2026-01-02\n@@ -1 +1 @@\n-x\n+y',
    ],
    ['CRLF line endings', '--- a\r\n+++ b\r\n@@ -1 +1 @@\r\n-x\r\n+y\r\n'],
  ])('finds %s', (_, text) => {
    expect(isUnifiedDiff(text)).toBe(true);
  });

  it.each([
    ['a markdown list', 'Steps:\n- read\n- write\n+ extra\n- done'],
    ['a markdown rule and list', 'Title\n---\n- item\n+ item'],
    ['a single line', '--- a +++ b @@ -1 +1 @@'],
    ['`---` not followed by `+++`', '--- a/x\nsomething\n+++ b/x'],
    ['a hunk header in the middle of a line', 'see @@ -1 +1 @@\n-x'],
    ['plain output', 'total 8\n-rw-r--r-- 1 me me 0 README.md'],
  ])('does not take %s for a diff', (_, text) => {
    expect(isUnifiedDiff(text)).toBe(false);
  });
});

describe('classifyDiff', () => {
  it('classifies headers, hunks, additions, deletions and context', () => {
    expect(
      kinds(
        'intro\ndiff --git a/x b/x\nindex 1234567..89abcde\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@ head\n a\n-b\n+c\n d\n\\ No newline at end of file',
      ),
    ).toEqual(['plain', 'file', 'file', 'file', 'file', 'hunk', 'context', 'del', 'add', 'context', 'meta']);
  });

  it('uses the hunk counts, so deleted or added lines that look like headers stay lines', () => {
    expect(
      kinds('--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n--- a comment\n+++ counter\n select 1;'),
    ).toEqual(['file', 'file', 'hunk', 'del', 'add', 'context']);
  });

  it('goes back to headers once a hunk is complete', () => {
    expect(kinds('@@ -1 +1 @@\n-a\n+b\ndiff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -0,0 +1 @@\n+new')).toEqual([
      'hunk',
      'del',
      'add',
      'file',
      'file',
      'file',
      'hunk',
      'add',
    ]);
  });

  it('drops the CR of CRLF lines and keeps the text of every line', () => {
    const lines = classifyDiff('--- a\r\n+++ b\r\n@@ -1 +1 @@\r\n-x\r\n+y');
    expect(lines.map((l) => l.text)).toEqual(['--- a', '+++ b', '@@ -1 +1 @@', '-x', '+y']);
  });
});
