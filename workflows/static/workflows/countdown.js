/**
 * Live countdowns: every element with data-deadline="<ISO time>" shows the time left
 * ("1:23:45 left") or how late it is, once a second, and gets .is-late when the deadline
 * passes. Elements swapped in by live.js are picked up at the next tick. Texts come from
 * #countdown-labels (data-left / data-late, "{time}" stands for the time).
 */
const labels = document.getElementById("countdown-labels")?.dataset ?? {};

function clock(seconds) {
  const s = Math.floor(seconds % 60);
  const m = Math.floor((seconds / 60) % 60);
  const h = Math.floor((seconds / 3600) % 24);
  const d = Math.floor(seconds / 86400);
  const hms = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return d ? `${d}d ${hms}` : hms;
}

function tick() {
  const now = Date.now();
  for (const element of document.querySelectorAll("[data-deadline]")) {
    const due = Date.parse(element.dataset.deadline);
    if (Number.isNaN(due)) continue;
    const left = (due - now) / 1000;
    const late = left < 0;
    const template = (late ? labels.late : labels.left) ?? "{time}";
    element.textContent = template.replace("{time}", clock(Math.abs(left)));
    element.classList.toggle("is-late", late);
    element.title = new Date(due).toLocaleString();
  }
}

tick();
setInterval(tick, 1000);
