/**
 * Live 两公开: follow `compound:<code>` on a socket of its own and re-read the page when a
 * proposal of the compound changes (at most once a second; never while the visitor types).
 *
 * Compound events have their own id sequence and no replay (deliberation/streams.py): this
 * client never asks for `since`; it re-reads the page on every (re)subscription instead, so
 * nothing is missed across reconnects.
 */
import { EventStream } from "../notifications/events.js";

const main = document.querySelector("main.page");
const code = main?.dataset.compound;

class LiveOnly extends EventStream {
  _subscribeMessage() {
    return { type: "subscribe", streams: this.streams };
  }
}

function typing() {
  const active = document.activeElement;
  return Boolean(active && main.contains(active) && active.matches("input, textarea, select"));
}

let timer = null;
let first = true;
function refresh() {
  if (timer !== null) return;
  timer = setTimeout(async () => {
    timer = null;
    if (typing()) return;
    const response = await fetch(location.href, { credentials: "same-origin" });
    if (!response.ok || response.redirected) return;
    const fresh = new DOMParser()
      .parseFromString(await response.text(), "text/html")
      .querySelector("main.page");
    if (fresh) {
      main.replaceChildren(...fresh.childNodes);
      main.dataset.refreshed = String(Date.now());
    }
  }, 1000);
}

if (code) {
  const stream = new LiveOnly({ streams: [`compound:${code}`], storage: null });
  stream.addEventListener("event", refresh);
  stream.addEventListener("subscribed", () => {
    if (!first) refresh(); // a reconnect: whatever happened meanwhile is on the page again
    first = false;
  });
  stream.start();
}
