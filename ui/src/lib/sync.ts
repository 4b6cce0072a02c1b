// What the status bar says about the outbox, in the language on screen. Pure
// apart from the language, so it is unit-tested; the numbers come from the
// app crate (SyncStatus), the words from the catalogue.
import type { SyncStatus } from "./bindings";
import { t } from "./i18n.svelte";

export type Tone = "ok" | "waiting" | "problem";

/** "45 s", "3 min", "2 h 5 min", "3 d 4 h": how long ago, for a clerk. */
export function age(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - fromMs) / 1000));
  if (s < 60) return t("ui.age.s", { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t("ui.age.min", { m });
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? t("ui.age.h_min", { h, m: m % 60 }) : t("ui.age.h", { h });
  const d = Math.floor(h / 24);
  return h % 24 ? t("ui.age.d_h", { d, h: h % 24 }) : t("ui.age.d", { d });
}

export type StatusLine = { tone: Tone; link: string; queued: string; last: string };

export function describe(s: SyncStatus): StatusLine {
  let tone: Tone = "ok";
  let link: string;
  if (!s.central_configured) {
    link = t("ui.status.not_configured");
    tone = "problem";
  } else if (s.needs_sign_in) {
    link = t("ui.status.needs_sign_in");
    tone = "problem";
  } else if (s.link === "offline") {
    link = t("ui.status.offline");
    tone = "waiting";
  } else if (s.link === "online") {
    link = t("ui.status.online");
  } else {
    link = t("ui.status.connecting");
    tone = "waiting";
  }
  let queued = t("ui.status.nothing_waiting");
  if (s.queued > 0) {
    queued =
      s.oldest_queued_at_ms === null
        ? t("ui.status.waiting", { n: s.queued })
        : t("ui.status.waiting_oldest", { n: s.queued, age: age(s.oldest_queued_at_ms, s.now_ms) });
    if (tone === "ok") tone = "waiting";
  }
  const last =
    s.last_success_at_ms === null
      ? t("ui.status.never_synced")
      : t("ui.status.last_sync", { age: age(s.last_success_at_ms, s.now_ms) });
  if (s.attention > 0 || s.store_error !== null) tone = "problem";
  return { tone, link, queued, last };
}
