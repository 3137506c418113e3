/**
 * The message inside a subscription value. Tracked yields arrive wrapped (`{ id, data }` over
 * WebSocket; over SSE the id is not an own enumerable key, so it looks like `{ data }`), untracked
 * ones arrive bare. Every livetrail stream message has a `kind`, which tells the two apart.
 */
export function unwrapTracked<TMessage extends { kind: string }>(value: unknown): TMessage {
  if (typeof value === 'object' && value !== null && !('kind' in value) && 'data' in value) {
    return (value as { data: TMessage }).data;
  }
  return value as TMessage;
}
