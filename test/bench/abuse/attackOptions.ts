/** The attacks `attacker.ts` can run, one per bench phase. */
export type AttackMode =
  | 'batch-amplification'
  | 'deep-nesting'
  | 'event-flood'
  | 'slowloris'
  | 'subscription-flood';

/** What every attack gets from the command line of `attacker.ts`. */
export interface AttackOptions {
  /** `http://127.0.0.1:<port>` of the server under attack. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` on every request. */
  token: string;
  /** Loopback address the attack's sockets connect from, so a per-client-IP limit sees a stranger. */
  source: string;
  /** The session the follower watches (the subscription flood targets it). */
  sessionId: string;
  /** Aborted when the attack must stop: SIGTERM from the bench or the attacker's own deadline. */
  signal: AbortSignal;
  /** Called once set-up is done and the attack proper is running. */
  ready(): void;
}

/** What an attack reports back: one human-readable line for the table. */
export interface AttackReport {
  outcome: string;
}

/** One attack: runs until `signal` aborts, then cleans up and reports. */
export type Attack = (opts: AttackOptions) => Promise<AttackReport>;
