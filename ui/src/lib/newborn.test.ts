import { describe, expect, it } from "vitest";
import type { Choice } from "./bindings";
import { completable, defaultHospital, defaultNameLine, keepsFollowUp, tidyDate, tidyTime } from "./newborn";

describe("tidyDate", () => {
  it("writes a day as typed in DD/MM/YYYY", () => {
    const table: [string, string][] = [
      ["01/02/2025", "01/02/2025"],
      ["1/2/2025", "01/02/2025"],
      [" 1.2.2025 ", "01/02/2025"],
      ["1-2-2025", "01/02/2025"],
      ["01022025", "01/02/2025"],
      ["2025-02-01", "01/02/2025"],
      ["2025-2-1", "01/02/2025"],
    ];
    for (const [typed, tidy] of table) expect([typed, tidyDate(typed)]).toEqual([typed, tidy]);
  });

  it("leaves what it cannot read for Rust to refuse", () => {
    for (const typed of ["", "1/2/25", "yesterday", "123/4/2025", "0102202"]) {
      expect(tidyDate(typed)).toBe(typed.trim());
    }
  });
});

describe("tidyTime", () => {
  it("writes a time as typed in HH:MM", () => {
    const table: [string, string][] = [
      ["14:05", "14:05"],
      ["9:30", "09:30"],
      ["09.30", "09:30"],
      ["930", "09:30"],
      ["1405", "14:05"],
      [" 0005 ", "00:05"],
    ];
    for (const [typed, tidy] of table) expect([typed, tidyTime(typed)]).toEqual([typed, tidy]);
  });

  it("leaves what it cannot read for Rust to refuse", () => {
    for (const typed of ["", "5", "14:5", "noon", "14:05:00", "12345"]) {
      expect(tidyTime(typed)).toBe(typed.trim());
    }
  });
});

describe("defaultHospital", () => {
  const hospitals = [{ code: "QMH" }, { code: "PWH" }] as Choice[];
  it("starts from this counter's site when it is a birth hospital", () => {
    expect(defaultHospital(hospitals, "PWH")).toBe("PWH");
    expect(defaultHospital(hospitals, "RO-HK")).toBe("");
    expect(defaultHospital(hospitals, null)).toBe("");
    expect(defaultHospital([], "QMH")).toBe("");
  });
});

describe("completable", () => {
  it("needs a record awaiting its certificate at a site that completes", () => {
    expect(completable("awaiting_birth_certificate", ["walk_in", "completion"])).toBe(true);
    expect(completable("awaiting_birth_certificate", ["walk_in"])).toBe(false);
    expect(completable("effective", ["completion"])).toBe(false);
  });
});

describe("keepsFollowUp", () => {
  it("is for birth hospitals and the Registration Office", () => {
    expect(keepsFollowUp("birth_hospital")).toBe(true);
    expect(keepsFollowUp("registration_office")).toBe(true);
    expect(keepsFollowUp("registration_centre")).toBe(false);
    expect(keepsFollowUp("maternal_child_health_centre")).toBe(false);
    expect(keepsFollowUp(null)).toBe(false);
    expect(keepsFollowUp(undefined)).toBe(false);
  });
});

describe("defaultNameLine", () => {
  it("shows the English name, and the Chinese one when there is one", () => {
    expect(defaultNameLine(["CHAN, Baby of TAI MAN", "陳大文之嬰"])).toBe("CHAN, Baby of TAI MAN / 陳大文之嬰");
    expect(defaultNameLine(["CHAN, Baby of TAI MAN", null])).toBe("CHAN, Baby of TAI MAN");
    expect(defaultNameLine(null)).toBeNull();
  });
});
