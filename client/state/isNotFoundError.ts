/** Whether the server answered NOT_FOUND (a tRPC client error carries the code in `data.code`). */
export function isNotFoundError(err: unknown): boolean {
  const data = (err as { data?: { code?: unknown; httpStatus?: unknown } } | null)?.data;
  return data?.code === 'NOT_FOUND' || data?.httpStatus === 404;
}
