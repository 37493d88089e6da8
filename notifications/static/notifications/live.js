/**
 * Page wiring for live events (loaded by base.html for logged-in users).
 *
 * One socket per page. Streams come from `data-streams` on <main class="page"> (space
 * separated, filled by the page template; empty: notifications only). When a case event
 * arrives the page re-fetches itself and swaps the content of <main class="page">, at most
 * once per second. Translated texts come from data-* attributes written by the templates.
 * Without JavaScript every page works as before.
 */
import { EventStream } from "./events.js";

const REFRESH_INTERVAL = 1000; // ms: at most one re-fetch per second
const NOTICE_TIME = 4000; // ms the "updated" notice stays

const main = document.querySelector("main.page");
const badge = document.querySelector("[data-unread]");
const indicator = document.getElementById("live-status");
const notice = document.getElementById("live-notice");
const streams = (main?.dataset.streams ?? "").split(/\s+/).filter(Boolean);

function text(element, key) {
  return element?.dataset[key] ?? "";
}

function showUnread(count) {
  if (!badge) return;
  badge.textContent = String(count);
  // the wrapper, not the .badge: the class's display rule would override [hidden]
  badge.closest("[data-unread-wrap]").hidden = !(count > 0);
}

function showStatus(status) {
  if (!indicator) return;
  const key = { connected: "connected", reconnecting: "reconnecting", "logged-out": "loggedOut" }[
    status
  ];
  indicator.textContent = key ? text(indicator, key) : "";
  indicator.dataset.status = status;
}

let noticeTimer = null;
function showNotice(message, { keep = false, reload = false } = {}) {
  if (!notice) return;
  notice.replaceChildren(document.createTextNode(message));
  if (reload) {
    const link = document.createElement("a");
    link.href = location.href;
    link.textContent = text(notice, "reload");
    notice.append(" ", link);
  }
  notice.hidden = false;
  clearTimeout(noticeTimer);
  if (!keep) noticeTimer = setTimeout(() => (notice.hidden = true), NOTICE_TIME);
}

/** True while the visitor is working on a form: a swap would throw their input away. A form
 * shown again with its errors counts too (the visitor has yet to correct it). */
function busy() {
  const active = document.activeElement;
  if (active && main.contains(active) && active.matches("input, textarea, select")) return true;
  if (main.querySelector("form .errorlist, form [aria-invalid=true]")) return true;
  const changed = [...main.querySelectorAll("input, textarea")].some(
    (field) =>
      field.type !== "hidden" &&
      (field.type === "checkbox" || field.type === "radio"
        ? field.checked !== field.defaultChecked
        : field.value !== field.defaultValue),
  );
  return (
    changed ||
    [...main.querySelectorAll("select option")].some((o) => o.selected !== o.defaultSelected)
  );
}

/** Put what the visitor has not had time to read back into the fresh content: the result
 * messages of their last action (they stay until the next page) and the sections they
 * opened. */
function keepUnseen(fresh) {
  const messages = main.querySelector(":scope > [data-messages]");
  if (messages && !fresh.querySelector(":scope > [data-messages]")) fresh.prepend(messages);
  const opened = [...main.querySelectorAll("details[id][open]")].map((d) => d.id);
  for (const id of opened) fresh.querySelector(`details[id="${CSS.escape(id)}"]`)?.setAttribute("open", "");
}

async function refresh() {
  if (busy()) {
    showNotice(text(notice, "changed"), { keep: true, reload: true });
    return;
  }
  try {
    const response = await fetch(location.href, {
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    const html = response.ok && !response.redirected ? await response.text() : "";
    const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main.page");
    if (!fresh) throw new Error(`no page content (HTTP ${response.status})`);
    if (busy()) throw new Error("the visitor started typing");
    keepUnseen(fresh);
    main.innerHTML = fresh.innerHTML;
    main.dispatchEvent(new CustomEvent("live:refreshed", { bubbles: true }));
    showNotice(text(notice, "updated"));
  } catch {
    showNotice(text(notice, "changed"), { keep: true, reload: true });
  }
}

let lastRefresh = 0;
let refreshTimer = null;
let refreshing = false;
let again = false; // an event arrived while a re-fetch was running
function scheduleRefresh() {
  if (refreshing) again = true;
  if (refreshing || refreshTimer !== null) return;
  const delay = Math.max(0, lastRefresh + REFRESH_INTERVAL - Date.now());
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    refreshing = true;
    lastRefresh = Date.now();
    try {
      await refresh();
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        scheduleRefresh();
      }
    }
  }, delay);
}

if (main && "WebSocket" in window) {
  const stream = new EventStream({
    streams,
    // Pages with live content re-fetch themselves instead of reloading.
    onResync: streams.length ? scheduleRefresh : () => {},
  });
  stream.addEventListener("status", (e) => showStatus(e.detail.status));
  stream.addEventListener("notifications", (e) => showUnread(e.detail.unread));
  if (main.dataset.refreshOnNotifications !== undefined) {
    stream.addEventListener("notifications", scheduleRefresh); // the notification list itself
  }
  if (streams.length) {
    stream.addEventListener("event", scheduleRefresh);
    stream.addEventListener("revoked", scheduleRefresh);
  }
  addEventListener("pagehide", () => stream.stop());
  addEventListener("pageshow", (e) => e.persisted && stream.start());
  stream.start();
}
