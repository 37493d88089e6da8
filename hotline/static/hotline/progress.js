// The import's progress bar: live over /ws/events/ (stream import:<job>), re-read from the
// status URL on load, on reconnect and when the socket is told to resync.
import { EventStream } from "../notifications/events.js";

const card = document.querySelector("[data-import-job]");
if (card) {
  const bar = card.querySelector("[data-progress]");
  const statusUrl = card.dataset.statusUrl;
  const finished = new Set(["done", "failed"]);
  let stream = null;

  const show = (p) => {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    for (const el of card.querySelectorAll("[data-field]")) {
      const name = el.dataset.field;
      if (name === "eta") {
        el.textContent = p.eta == null ? "—" : el.dataset.secondsLabel.replace("{s}", p.eta);
      } else if (name in p) {
        el.textContent = p[name];
      }
    }
    if (finished.has(p.state) && stream) stream.stop();
  };

  const refresh = async () => {
    const response = await fetch(statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) show(await response.json());
  };

  stream = new EventStream({
    streams: [`import:${card.dataset.importJob}`],
    storage: null,
    onResync: () => refresh(),
  });
  stream.addEventListener("event", (e) => {
    if (e.detail.kind === "import.progress") show(e.detail);
  });
  stream.addEventListener("status", (e) => {
    if (e.detail.status === "connected") refresh();
  });
  stream.start();
}
