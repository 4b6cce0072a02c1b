import { describe, expect, it } from "vitest";
import { IdleWatch } from "./idle";

describe("IdleWatch", () => {
  it("expires after the policy's minutes without activity, and not before", () => {
    let now = 1_000_000;
    const w = new IdleWatch(() => now, 5);
    now += 5 * 60_000 - 1;
    expect(w.expired()).toBe(false);
    now += 1;
    expect(w.expired()).toBe(true);
  });

  it("starts again from every touch", () => {
    let now = 0;
    const w = new IdleWatch(() => now, 2);
    now += 90_000;
    w.touch();
    now += 90_000;
    expect(w.expired()).toBe(false);
    expect(w.remainingMs()).toBe(30_000);
    now += 30_000;
    expect(w.expired()).toBe(true);
  });

  it("follows a changed policy, and 0 minutes never locks", () => {
    let now = 0;
    const w = new IdleWatch(() => now, 10);
    now += 3 * 60_000;
    w.setMinutes(2);
    expect(w.expired()).toBe(true);
    w.setMinutes(0);
    now += 24 * 3_600_000;
    expect(w.expired()).toBe(false);
  });
});
