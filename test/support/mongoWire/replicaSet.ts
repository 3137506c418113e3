import { ObjectId } from 'bson';

/**
 * The replica-set role of this (single) server: writable primary, or in an election after a stepdown.
 * Each election starts a new term, reported as a higher `electionId` so drivers accept the new primary.
 */
export class ReplicaSetState {
  private term = 1;
  private electing = false;
  private readonly stepDownListeners = new Set<() => void>();

  get isPrimary(): boolean {
    return !this.electing;
  }

  /** hello's electionId for the current term (starting above any id a restarted server had used). */
  electionId(): ObjectId {
    return new ObjectId(`7fffffff${this.term.toString(16).padStart(16, '0')}`);
  }

  /** Steps down: no primary until elected() is called; interrupts operations waiting on the primary. */
  stepDown(): void {
    this.electing = true;
    for (const listener of [...this.stepDownListeners]) listener();
  }

  /** Ends the election: primary again, in a new term. */
  elected(): void {
    this.electing = false;
    this.term++;
  }

  /** Calls `listener` at each stepdown until the returned function is called. */
  onStepDown(listener: () => void): () => void {
    this.stepDownListeners.add(listener);
    return () => this.stepDownListeners.delete(listener);
  }
}
