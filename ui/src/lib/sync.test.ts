import { describe as suite, expect, it } from "vitest";
import { age, describe } from "./sync";
import type { SyncStatus } from "./bindings";
import { language } from "./i18n.svelte";

const base: SyncStatus = {
  central_configured: true,
  link: "online",
  queued: 0,
  attention: 0,
  oldest_queued_at_ms: null,
  last_success_at_ms: null,
  now_ms: 10_000_000,
  needs_sign_in: false,
  waiting_for_online_sign_in: false,
  audit_queued: 0,
  sending: false,
  store_error: null,
};

suite("age", () => {
  it("rounds down to what a clerk reads", () => {
    expect(age(0, 45_900)).toBe("45 s");
    expect(age(0, 3 * 60_000 + 59_000)).toBe("3 min");
    expect(age(0, 2 * 3_600_000)).toBe("2 h");
    expect(age(0, 2 * 3_600_000 + 5 * 60_000)).toBe("2 h 5 min");
    expect(age(0, 3 * 86_400_000 + 4 * 3_600_000)).toBe("3 d 4 h");
    expect(age(5_000, 1_000)).toBe("0 s");
  });
});

suite("describe", () => {
  it("says online with nothing waiting", () => {
    const d = describe({ ...base, last_success_at_ms: base.now_ms - 30_000 });
    expect(d.tone).toBe("ok");
    expect(d.link).toBe("Online");
    expect(d.queued).toBe("Nothing waiting");
    expect(d.last).toBe("Last sync 30 s ago");
    language.set("zh-HK");
    try {
      const z = describe({ ...base, last_success_at_ms: base.now_ms - 30_000 });
      expect(z.link).toBe("已連線");
      expect(z.last).toBe("上次同步：30 秒前");
    } finally {
      language.set("en");
    }
  });
  it("says offline with the queue and its oldest age", () => {
    const d = describe({ ...base, link: "offline", queued: 3, oldest_queued_at_ms: base.now_ms - 120_000 });
    expect(d.tone).toBe("waiting");
    expect(d.link).toContain("Offline");
    expect(d.queued).toBe("3 waiting, oldest 2 min");
    expect(d.last).toBe("Never synced");
    language.set("zh-HK");
    try {
      expect(describe({ ...base, queued: 3, oldest_queued_at_ms: base.now_ms - 120_000 }).queued).toBe(
        "3 項待送，最早一項已等候 2 分鐘",
      );
    } finally {
      language.set("en");
    }
  });
  it("asks for a new sign-in before anything else", () => {
    const d = describe({ ...base, link: "offline", needs_sign_in: true, queued: 1, oldest_queued_at_ms: 0 });
    expect(d.tone).toBe("problem");
    expect(d.link).toContain("Sign in again");
  });
  it("flags a failing local store as a problem", () => {
    const store_error = {
      code: "store.disk_full" as const,
      field: null,
      message_en: "The disk is full.",
      message_zh: "磁碟已滿。",
    };
    expect(describe({ ...base, store_error }).tone).toBe("problem");
  });
  it("flags needs-attention items as a problem", () => {
    expect(describe({ ...base, attention: 1 }).tone).toBe("problem");
    expect(describe({ ...base, central_configured: false }).link).toContain("Not connected");
  });
});
