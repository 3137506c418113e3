/** A server under test, running in its own child process. */
export interface BenchServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The server process itself (not a wrapper), for /proc readings. */
  pid: number;
  /** Everything it printed, for error reports. */
  output(): string;
  /** SIGTERM, SIGKILL if it lingers; resolves once it has exited. */
  stop(): Promise<void>;
}
