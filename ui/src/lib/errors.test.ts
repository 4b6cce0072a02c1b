import { describe, expect, it } from "vitest";
import { isErrorBody, toErrorBody, toManualRefusal } from "./errors";

describe("toErrorBody", () => {
  it("passes a well-formed ErrorBody through unchanged", () => {
    const body = {
      code: "auth.staff_code_required",
      field: "staff_code",
      message_en: "Enter your staff code.",
      message_zh: "請輸入職員編號。",
    };
    expect(toErrorBody(body)).toBe(body);
  });

  it("maps Tauri's plain-string rejections to the internal error", () => {
    const e = toErrorBody("Command sign_in not allowed by ACL");
    expect(e.code).toBe("internal");
    expect(e.message_zh).toMatch(/內部錯誤/);
  });

  it("refuses an object whose code is not one of ours", () => {
    expect(isErrorBody({ code: "made.up", field: null, message_en: "x", message_zh: "y" })).toBe(false);
    expect(toErrorBody({ code: "made.up" }).code).toBe("internal");
  });

  it("refuses null, numbers and objects with missing messages", () => {
    for (const v of [null, undefined, 42, {}, { code: "internal", field: null, message_en: "x" }]) {
      expect(isErrorBody(v)).toBe(false);
    }
  });
});

describe("toManualRefusal", () => {
  it("keeps well-formed field issues", () => {
    const issues = [
      { field: "document_number", code: "id.check_digit", message_en: "The check digit…", message_zh: "核對數字…" },
    ];
    expect(toManualRefusal(issues)).toEqual({ issues, error: null });
  });

  it("turns anything else into an error for the whole pane", () => {
    for (const bad of ["Command not allowed", [], [{ field: 1 }], null]) {
      const r = toManualRefusal(bad);
      expect(r.issues).toEqual([]);
      expect(r.error?.code).toBe("internal");
    }
  });
});
