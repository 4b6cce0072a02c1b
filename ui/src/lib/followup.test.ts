import { describe, expect, it } from "vitest";
import { followUpLists, needsCentral } from "./followup";

describe("followUpLists", () => {
  it("gives a clerk the newborn list at a birth hospital and the Registration Office only", () => {
    expect(followUpLists("birth_hospital", "registration_staff")).toEqual(["newborns"]);
    expect(followUpLists("registration_office", "registration_staff")).toEqual(["newborns"]);
    expect(followUpLists("registration_centre", "registration_staff")).toEqual([]);
    expect(followUpLists("maternal_child_health_centre", "registration_staff")).toEqual([]);
    expect(followUpLists("private_provider_centre", "registration_staff")).toEqual([]);
  });

  it("adds the supervisors' two lists for a supervisor, at any site", () => {
    expect(followUpLists("birth_hospital", "supervisor")).toEqual(["newborns", "expiring", "turning_16"]);
    expect(followUpLists("registration_office", "supervisor")).toEqual(["newborns", "expiring", "turning_16"]);
    expect(followUpLists("registration_centre", "supervisor")).toEqual(["expiring", "turning_16"]);
    expect(followUpLists(null, "supervisor")).toEqual(["expiring", "turning_16"]);
  });

  it("gives nothing before anybody signs in or the site is known", () => {
    expect(followUpLists(undefined, undefined)).toEqual([]);
    expect(followUpLists(null, null)).toEqual([]);
    expect(followUpLists("birth_hospital", null)).toEqual(["newborns"]);
  });
});

describe("needsCentral", () => {
  it("is the central service's codes", () => {
    expect(needsCentral("central.unreachable")).toBe(true);
    expect(needsCentral("central.dns")).toBe(true);
    expect(needsCentral("auth.forbidden")).toBe(false);
    expect(needsCentral("internal")).toBe(false);
  });
});
