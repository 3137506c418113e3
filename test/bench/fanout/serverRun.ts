import type { BurstResult, IdleResult, PacedResult, ServerKind } from './fanoutProtocol.ts';

/** Everything measured on one server, for the table. */
export interface ServerRun {
  kind: ServerKind;
  /** A: one result per repetition (the run stops repeating after one that hit its cap). */
  bursts: BurstResult[];
  /** B: one per rate. */
  paced: { rate: number; result: PacedResult }[];
  /** C */
  idle?: IdleResult;
  /** Idle subscribers asked for in C. */
  idleWanted: number;
  /** D */
  spread?: PacedResult;
  errors: string[];
  seconds: number;
}
