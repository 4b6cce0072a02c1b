// The crop box of the capture dialog, in fractions (0 to 1) of the upright
// page as previewed. The two corner handles move within the page and never
// cross: the box keeps at least MIN_SIDE of the page on each side (the
// pipeline refuses a smaller crop as capture.empty_crop anyway).
import type { CropBox } from "./bindings";

export type Corner = "top_left" | "bottom_right";
export const MIN_SIDE = 0.05;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The box kept within the page, each side at least MIN_SIDE. */
export function clampCrop(c: CropBox): CropBox {
  const x = clamp(c.x, 0, 1 - MIN_SIDE);
  const y = clamp(c.y, 0, 1 - MIN_SIDE);
  return { x, y, w: clamp(c.w, MIN_SIDE, 1 - x), h: clamp(c.h, MIN_SIDE, 1 - y) };
}

/** Move one corner by (dx, dy); the opposite corner stays where it is. */
export function moveCorner(c: CropBox, corner: Corner, dx: number, dy: number): CropBox {
  const right = c.x + c.w;
  const bottom = c.y + c.h;
  if (corner === "top_left") {
    const x = clamp(c.x + dx, 0, right - MIN_SIDE);
    const y = clamp(c.y + dy, 0, bottom - MIN_SIDE);
    return { x, y, w: right - x, h: bottom - y };
  }
  const r = clamp(right + dx, c.x + MIN_SIDE, 1);
  const b = clamp(bottom + dy, c.y + MIN_SIDE, 1);
  return { x: c.x, y: c.y, w: r - c.x, h: b - c.y };
}
