import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Debounced } from "./debounce";

describe("Debounced", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends the last value once the run pauses", () => {
    const sent: string[] = [];
    const d = new Debounced<string>(250, (v) => sent.push(v));
    d.push("a");
    vi.advanceTimersByTime(200);
    d.push("ab");
    vi.advanceTimersByTime(200);
    d.push("abc");
    expect(sent).toEqual([]);
    expect(d.pending).toBe(true);
    vi.advanceTimersByTime(249);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(["abc"]);
    expect(d.pending).toBe(false);
  });

  it("flush sends a waiting value at once, and only once", () => {
    const sent: number[] = [];
    const d = new Debounced<number>(250, (v) => sent.push(v));
    expect(d.flush()).toBe(false);
    d.push(1);
    expect(d.flush()).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([1]);
  });

  it("cancel drops the waiting value", () => {
    const sent: number[] = [];
    const d = new Debounced<number>(250, (v) => sent.push(v));
    d.push(1);
    d.cancel();
    vi.advanceTimersByTime(1000);
    expect(d.flush()).toBe(false);
    expect(sent).toEqual([]);
  });
});
