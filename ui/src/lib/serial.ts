// Calls to the task, one at a time and in the order they were made: an edit
// typed before a click on Submit reaches Rust first, and an answer never
// overtakes the one before it.
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** How many calls are queued or running. */
  get busy(): number {
    return this.waiting;
  }

  run<T>(f: () => Promise<T>): Promise<T> {
    this.waiting += 1;
    const next = this.tail.then(f, f);
    this.tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next.finally(() => {
      this.waiting -= 1;
    });
  }
}
