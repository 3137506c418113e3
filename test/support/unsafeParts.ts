/** Anything in `root` that could run, load or link somewhere unsafe. */
export function unsafeParts(root: ParentNode): string[] {
  const found: string[] = [];
  for (const el of root.querySelectorAll('*')) {
    if (/^(script|img|iframe|svg|object|embed|style|link|meta|form|input|video|audio)$/.test(el.localName))
      found.push(`<${el.localName}>`);
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(`${el.localName}[${a.name}]`);
      if (
        a.name === 'src' ||
        a.name === 'srcset' ||
        (a.name === 'style' && el.localName !== 'th' && el.localName !== 'td')
      )
        found.push(`${el.localName}[${a.name}]`);
    }
    if (el.localName === 'a') {
      const href = el.getAttribute('href');
      if (href === null || !/^(https?:\/\/|mailto:)/.test(href)) found.push(`a[href=${href}]`);
      if (el.getAttribute('rel') !== 'noopener noreferrer') found.push(`a[rel=${el.getAttribute('rel')}]`);
      if (el.getAttribute('target') !== '_blank') found.push(`a[target=${el.getAttribute('target')}]`);
    }
  }
  return found;
}
