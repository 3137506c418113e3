import type { Transport } from '../../shared/createLivetrailClient.ts';

/** The subscription transport a page URL asks for with `?transport=ws|sse`; SSE unless it says ws. */
export function transportFromSearch(search: string): Transport {
  return new URLSearchParams(search).get('transport') === 'ws' ? 'ws' : 'sse';
}
