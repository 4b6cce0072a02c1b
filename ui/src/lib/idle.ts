// The idle lock's clock: pure, so it is tested with a clock the test sets.
// Activity is a key, a click or a card event; after the policy's idle minutes
// without any, the screen locks.

export type Clock = () => number;

export class IdleWatch {
  private last: number;

  constructor(
    private readonly now: Clock,
    private minutes: number,
  ) {
    this.last = now();
  }

  /** Something happened: a key, a click, a card in or out. */
  touch(): void {
    this.last = this.now();
  }

  /** The policy changed (a new reference copy). */
  setMinutes(minutes: number): void {
    this.minutes = minutes;
  }

  /** Whether the idle time is up. A policy of 0 minutes never locks. */
  expired(): boolean {
    return this.minutes > 0 && this.now() - this.last >= this.minutes * 60_000;
  }

  /** Milliseconds until the lock (for the next check). */
  remainingMs(): number {
    return Math.max(0, this.last + this.minutes * 60_000 - this.now());
  }
}
