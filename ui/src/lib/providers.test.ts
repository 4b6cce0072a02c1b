import { describe, expect, it } from "vitest";
import { chosenProviders, onlyFound, providerLabel, providerName, providerSearch } from "./providers";

const harbour = { code: "PP-0001", name_en: "Harbour Medical Centre", name_zh: "海港醫療中心" };
const clinic = { code: "PP-0002", name_en: "Kowloon Clinic", name_zh: "九龍診所" };
const dental = { code: "PP-0003", name_en: "Kowloon Dental", name_zh: "九龍牙科" };
const register = [harbour, clinic, dental];

describe("providerSearch", () => {
  it("finds what matches, less those excluded", () => {
    expect(providerSearch(register, "", []).found.map((p) => p.code)).toEqual(["PP-0001", "PP-0002", "PP-0003"]);
    expect(providerSearch(register, "kowloon", ["PP-0002"])).toEqual({ none: false, found: [dental] });
  });
  it("says none matches only of a register with providers, before excluding", () => {
    expect(providerSearch(register, "nowhere", [])).toEqual({ none: true, found: [] });
    expect(providerSearch(register, "clinic", ["PP-0002"])).toEqual({ none: false, found: [] });
    expect(providerSearch([], "clinic", [])).toEqual({ none: false, found: [] });
  });
});

describe("onlyFound", () => {
  it("picks the one provider found, when something is typed", () => {
    expect(onlyFound("dental", [dental])).toBe(dental);
    expect(onlyFound("  ", [dental])).toBeUndefined();
    expect(onlyFound("kowloon", [clinic, dental])).toBeUndefined();
    expect(onlyFound("x", [])).toBeUndefined();
  });
});

describe("provider names", () => {
  it("names a provider with its code", () => {
    expect(providerLabel(clinic)).toBe("Kowloon Clinic (PP-0002)");
  });
  it("lists the chosen as the register has them, else by code", () => {
    expect(chosenProviders(["PP-0002", "PP-9"], register)).toEqual([
      clinic,
      { code: "PP-9", name_en: "PP-9", name_zh: "PP-9" },
    ]);
  });
  it("names a provider from the register, else the record, else by its code alone", () => {
    const listed = [{ provider_id: "PP-8", name_en: "Old Clinic", name_zh: "舊診所" }];
    expect(providerName("PP-0001", register, listed)).toBe("Harbour Medical Centre (PP-0001)");
    expect(providerName("PP-8", register, listed)).toBe("Old Clinic (PP-8)");
    expect(providerName("PP-9", register, listed)).toBe("PP-9");
  });
});
