// What the status bar says about the outbox, in both languages. Pure, so it
// is unit-tested; the numbers come from the app crate (SyncStatus).
import type { SyncStatus } from "./bindings";

export type Tone = "ok" | "waiting" | "problem";

/** "45 s", "3 min", "2 h 5 min", "3 d 4 h": how long ago, for a clerk. */
export function age(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - fromMs) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export type StatusLine = {
  tone: Tone;
  link_en: string;
  link_zh: string;
  queued_en: string;
  queued_zh: string;
  last_en: string;
  last_zh: string;
};

export function describe(s: SyncStatus): StatusLine {
  let tone: Tone = "ok";
  let link_en: string;
  let link_zh: string;
  if (!s.central_configured) {
    [link_en, link_zh] = ["Not connected to a central service", "未連接中央服務"];
    tone = "problem";
  } else if (s.needs_sign_in) {
    [link_en, link_zh] = ["Sign in again to send queued changes", "請重新登入以傳送待送項目"];
    tone = "problem";
  } else if (s.link === "offline") {
    [link_en, link_zh] = ["Offline: changes are kept and sent later", "離線：更改已保存，稍後傳送"];
    tone = "waiting";
  } else if (s.link === "online") {
    [link_en, link_zh] = ["Online", "已連線"];
  } else {
    [link_en, link_zh] = ["Connecting…", "正在連線…"];
    tone = "waiting";
  }
  let queued_en = "Nothing waiting";
  let queued_zh = "沒有待送項目";
  if (s.queued > 0) {
    const oldest = s.oldest_queued_at_ms === null ? "" : age(s.oldest_queued_at_ms, s.now_ms);
    queued_en = `${s.queued} waiting` + (oldest ? `, oldest ${oldest}` : "");
    queued_zh = `${s.queued} 項待送` + (oldest ? `，最早的 ${oldest} 前` : "");
    if (tone === "ok") tone = "waiting";
  }
  const last_en =
    s.last_success_at_ms === null ? "Never synced" : `Last sync ${age(s.last_success_at_ms, s.now_ms)} ago`;
  const last_zh =
    s.last_success_at_ms === null ? "從未同步" : `上次同步：${age(s.last_success_at_ms, s.now_ms)} 前`;
  if (s.attention > 0 || s.store_error !== null) tone = "problem";
  return { tone, link_en, link_zh, queued_en, queued_zh, last_en, last_zh };
}
