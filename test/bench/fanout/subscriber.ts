/** What a subscriber reports: each message (a whole SSE frame or WebSocket message) as it arrives. */
export interface SubscriberHooks {
  onMessage(text: string, at: number): void;
  /** The stream closed or failed after it was open. */
  onDrop(): void;
}

/** One open (or opening) subscription. */
export interface Subscriber {
  /** Resolves once the server has the subscription; rejects if it fails or takes too long. */
  ready: Promise<void>;
  close(): void;
}
