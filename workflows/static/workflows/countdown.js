/**
 * Live countdowns: every element with data-deadline="<ISO time>" shows the time left
 * ("剩余 3小时5分钟") or how late it is ("超时 1天0小时"), in the style of the pages'
 * `duration` filter (the largest two units; seconds only in the last minutes), once a
 * second, and gets .is-late when the deadline passes. Elements swapped in by live.js are
 * picked up at the next tick. Texts come from #countdown-labels (data-left / data-late,
 * "{time}" stands for the time; data-days / data-hours / data-minutes, the units).
 */
const labels = document.getElementById("countdown-labels")?.dataset ?? {};

function clock(seconds) {
  const s = Math.floor(seconds % 60);
  const m = Math.floor((seconds / 60) % 60);
  const h = Math.floor((seconds / 3600) % 24);
  const d = Math.floor(seconds / 86400);
  const fill = (template, values) =>
    template.replace(/\{(\w)\}/g, (_, key) => String(values[key] ?? ""));
  if (d) return fill(labels.days ?? "{d}d {h}h", { d, h });
  if (h) return fill(labels.hours ?? "{h}h {m}m", { h, m });
  return fill(labels.minutes ?? "{m}m {s}s", { m, s });
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
