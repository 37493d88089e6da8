// The import's progress bar: live over /ws/events/ (stream import:<job>), re-read from the
// status URL on load, on (re)connect and on resync. While the job runs and no live message
// came for a while, it re-reads the status URL too: in the embedded mode the dispatcher is
// another process, and the in-memory channel layer does not carry its messages to the server.
import { EventStream } from "../notifications/events.js";

const POLL_MS = 3000;
const card = document.querySelector("[data-import-job]");
if (card) {
  const bar = card.querySelector("[data-progress]");
  const statusUrl = card.dataset.statusUrl;
  const finished = new Set(["done", "failed"]);
  let stream = null;
  let timer = null;
  let lastLive = 0;

  const show = (p) => {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    card.dataset.state = p.state;
    for (const el of card.querySelectorAll("[data-field]")) {
      const name = el.dataset.field;
      if (name === "eta") {
        el.textContent = p.eta == null ? "—" : el.dataset.secondsLabel.replace("{s}", p.eta);
      } else if (name in p) {
        el.textContent = p[name];
      }
    }
    if (finished.has(p.state)) {
      if (stream) stream.stop();
      if (timer !== null) clearInterval(timer);
      timer = null;
    }
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
    if (e.detail.kind !== "import.progress") return;
    lastLive = Date.now();
    show(e.detail);
  });
  stream.addEventListener("status", (e) => {
    if (e.detail.status === "connected") refresh();
  });
  timer = setInterval(() => {
    if (Date.now() - lastLive > POLL_MS) refresh();
  }, POLL_MS);
  stream.start();
  refresh();
}
