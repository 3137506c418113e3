/**
 * The context type the router is built with, as clients see it: empty. `server/context.ts` merges
 * the server's `Context` into it (declaration merging), so every procedure sees the full context
 * while the router's published type (`AppRouter`, shipped in @livetrail/client's `.d.ts`) names
 * only this file, not the server's store, hub, logger or their dependencies. Clients never see a
 * context: tRPC's client types read only the procedures and the error shape.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by server/context.ts
export interface RouterContext {}
