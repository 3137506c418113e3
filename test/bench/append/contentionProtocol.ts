/** What the contention bench tells a writer process on its command line (JSON). */
export interface WriterConfig {
  uri: string;
  dbName: string;
  sessionId: string;
  /** Writer number: its event texts are `w<index>-<n>`. */
  index: number;
}

/** Parent → writer, over IPC, once every writer is ready: append until `durationMs` has passed. */
export interface GoMessage {
  type: 'go';
  durationMs: number;
}

/** Writer → parent, over IPC. */
export type WriterMessage =
  | { type: 'ready' }
  | {
      type: 'done';
      /** Appends acknowledged. */
      appends: number;
      /** Appends that reached the caller as an error. */
      errors: number;
      firstError?: string;
      /** From `go` to the end of its last append. */
      elapsedMs: number;
      /** CPU time (user + system) the writer process used over that time, ms. */
      cpuMs: number;
      /** ms per acknowledged append. */
      latencies: number[];
      /** [n, seq]: the append of text `w<index>-<n>` was acknowledged at `seq`. */
      acked: [number, number][];
    }
  | { type: 'failed'; error: string };

/** The text of writer `index`'s `n`-th append. */
export const writerText = (index: number, n: number) => `w${index}-${n}`;
