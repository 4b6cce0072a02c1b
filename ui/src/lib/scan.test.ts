import { describe, expect, it } from "vitest";
import { ScanInput } from "./scan";

function field() {
  const sent: string[] = [];
  return { sent, scan: new ScanInput((t) => sent.push(t)) };
}

const enter = { key: "Enter", isComposing: false };

describe("ScanInput", () => {
  it("submits on Enter what was typed", () => {
    const { sent, scan } = field();
    expect(scan.keyDown({ key: "A", isComposing: false }, "A")).toBe(false);
    expect(scan.keyDown(enter, "EHR-2026 0001")).toBe(true);
    expect(sent).toEqual(["EHR-2026 0001"]);
  });

  it("does not submit an empty field", () => {
    const { sent, scan } = field();
    expect(scan.keyDown(enter, "  ")).toBe(true);
    expect(sent).toEqual([]);
  });

  it("does not submit while composing, then submits the committed text", () => {
    const { sent, scan } = field();
    scan.compositionStart();
    expect(scan.isComposing).toBe(true);
    // Chrome and Firefox: the Enter's keydown comes while composing.
    expect(scan.keyDown({ key: "Enter", isComposing: true, keyCode: 229 }, "ehr")).toBe(false);
    expect(sent).toEqual([]);
    scan.compositionEnd("ＥＨＲ２０２６０００１");
    expect(sent).toEqual(["ＥＨＲ２０２６０００１"]);
    expect(scan.isComposing).toBe(false);
  });

  it("takes a composition ended without Enter as typing, not a submit", () => {
    const { sent, scan } = field();
    scan.compositionStart();
    scan.compositionEnd("EHR");
    expect(sent).toEqual([]);
    scan.keyDown(enter, "EHR20260001");
    expect(sent).toEqual(["EHR20260001"]);
  });

  it("submits once when the engine ends the composition before the Enter's keydown", () => {
    const { sent, scan } = field();
    scan.compositionStart();
    // The input method's Enter as seen while composing, then the end...
    scan.keyDown({ key: "Enter", isComposing: true }, "E");
    scan.compositionEnd("EHR20260001");
    // ...and WebKit's late keydown for the same Enter.
    expect(scan.keyDown({ key: "Enter", isComposing: false, keyCode: 229 }, "EHR20260001")).toBe(true);
    expect(sent).toEqual(["EHR20260001"]);
    // A later Enter by hand submits again.
    scan.keyDown(enter, "EHR20260001");
    expect(sent).toEqual(["EHR20260001", "EHR20260001"]);
  });

  it("submits a WebKit commit Enter that came after the composition ended by itself", () => {
    const { sent, scan } = field();
    scan.compositionStart();
    scan.compositionEnd("EHR1");
    expect(scan.keyDown({ key: "Enter", isComposing: false, keyCode: 229 }, "EHR1")).toBe(true);
    expect(sent).toEqual(["EHR1"]);
  });
});
