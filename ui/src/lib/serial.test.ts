import { describe, expect, it } from "vitest";
import { Serial } from "./serial";

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Serial", () => {
  it("runs calls one at a time, in order, whatever they take", async () => {
    const s = new Serial();
    const log: string[] = [];
    const a = s.run(async () => {
      log.push("a start");
      await later(20);
      log.push("a end");
      return 1;
    });
    const b = s.run(async () => {
      log.push("b start");
      await later(1);
      log.push("b end");
      return 2;
    });
    expect(s.busy).toBe(2);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(log).toEqual(["a start", "a end", "b start", "b end"]);
    expect(s.busy).toBe(0);
  });

  it("goes on after a call that failed", async () => {
    const s = new Serial();
    const failed = s.run(async () => {
      throw new Error("no");
    });
    await expect(failed).rejects.toThrow("no");
    expect(await s.run(async () => "next")).toBe("next");
  });
});
