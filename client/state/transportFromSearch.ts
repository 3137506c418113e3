import type { TransportMode } from '../../shared/connection/connectionState.ts';

/** The transport mode a page URL asks for with `?transport=sse|ws|auto`; auto unless it names one. */
export function transportFromSearch(search: string): TransportMode {
  const asked = new URLSearchParams(search).get('transport');
  return asked === 'sse' || asked === 'ws' ? asked : 'auto';
}
