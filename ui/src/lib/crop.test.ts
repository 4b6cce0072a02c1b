import { describe, expect, it } from "vitest";
import { clampCrop, moveCorner, MIN_SIDE } from "./crop";

const whole = { x: 0, y: 0, w: 1, h: 1 };
const near = (a: number, b: number) => expect(a).toBeCloseTo(b, 6);

describe("crop handles", () => {
  it("move the top-left corner and keep the bottom-right one", () => {
    const c = moveCorner(whole, "top_left", 0.1, 0.2);
    near(c.x, 0.1);
    near(c.y, 0.2);
    near(c.x + c.w, 1);
    near(c.y + c.h, 1);
  });

  it("move the bottom-right corner and keep the top-left one", () => {
    const c = moveCorner(whole, "bottom_right", -0.25, -0.5);
    expect([c.x, c.y]).toEqual([0, 0]);
    near(c.w, 0.75);
    near(c.h, 0.5);
  });

  it("never leave the page", () => {
    const c = moveCorner(whole, "top_left", -0.3, -0.3);
    expect(c).toEqual(whole);
    const d = moveCorner(whole, "bottom_right", 0.4, 0.4);
    expect(d).toEqual(whole);
  });

  it("never cross or shrink below the minimum", () => {
    const c = moveCorner(whole, "top_left", 2, 2);
    near(c.w, MIN_SIDE);
    near(c.h, MIN_SIDE);
    near(c.x + c.w, 1);
    const d = moveCorner({ x: 0.5, y: 0.5, w: 0.5, h: 0.5 }, "bottom_right", -1, -1);
    near(d.w, MIN_SIDE);
    near(d.h, MIN_SIDE);
    expect([d.x, d.y]).toEqual([0.5, 0.5]);
  });

  it("clamp a box from elsewhere into the page", () => {
    const c = clampCrop({ x: -0.2, y: 0.9, w: 3, h: 0 });
    expect(c.x).toBe(0);
    near(c.y, 0.9);
    near(c.w, 1);
    near(c.h, MIN_SIDE);
  });
});
