/** Calls one tRPC mutation over HTTP as a client with `token`, resolving its `result.data`. */
export async function trpcCall<T>(url: string, path: string, token: string, input: unknown): Promise<T> {
  const res = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { result: { data: T } }).result.data;
}
