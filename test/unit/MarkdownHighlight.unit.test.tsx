import { cleanup, render, waitFor } from '@solidjs/testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown } from '../../client/components/Markdown.tsx';
import { loadHighlighter } from '../../client/state/highlightCode.ts';

afterEach(cleanup);

// Its own file, so highlight.js has not been loaded when the component first renders.
describe('Markdown while highlight.js loads', () => {
  it('shows a fence as escaped code first, then highlighted once the highlighter is in, keeping the other blocks', async () => {
    const text = 'Intro *text*\n\n```ts\nconst a = "<b>";\n```\n\nafter';
    const { container } = render(() => <Markdown text={text} />);
    const code = () => container.querySelector('pre > code')!;
    expect(code().className).toBe('hljs language-ts');
    expect(code().textContent).toBe('const a = "<b>";\n');
    expect(code().querySelector('span')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    await loadHighlighter();
    await waitFor(() => expect(code().querySelector('.hljs-keyword')?.textContent).toBe('const'));
    expect(code().textContent).toBe('const a = "<b>";\n');
    expect(container.querySelector('em')?.textContent).toBe('text');
    expect(container.querySelectorAll('pre')).toHaveLength(1);
  });
});
