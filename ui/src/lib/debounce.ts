// The latest of a run of values, sent once the run pauses (the task's form:
// every change is sent, but not every keystroke). `flush` sends a waiting
// value at once (before any other event, so Rust sees the form as typed).

export type Timers = {
  set: (f: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
};

const realTimers: Timers = {
  set: (f, ms) => setTimeout(f, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Debounced<T> {
  private handle: unknown = null;
  private value: T | undefined;
  private waiting = false;

  constructor(
    private readonly ms: number,
    private readonly send: (value: T) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Whether a value waits to be sent. */
  get pending(): boolean {
    return this.waiting;
  }

  push(value: T): void {
    this.value = value;
    this.waiting = true;
    if (this.handle !== null) this.timers.clear(this.handle);
    this.handle = this.timers.set(() => this.flush(), this.ms);
  }

  /** Sends the waiting value now; false when nothing waited. */
  flush(): boolean {
    if (this.handle !== null) {
      this.timers.clear(this.handle);
      this.handle = null;
    }
    if (!this.waiting) return false;
    this.waiting = false;
    const v = this.value as T;
    this.value = undefined;
    this.send(v);
    return true;
  }

  /** Drops the waiting value. */
  cancel(): void {
    if (this.handle !== null) this.timers.clear(this.handle);
    this.handle = null;
    this.waiting = false;
    this.value = undefined;
  }
}
