/**
 * The board, live: draws the charts (Chart.js, served locally) and keeps every figure current.
 *
 * The page is complete without JavaScript (tables, map, overdue list). This script follows the
 * board's area stream (`area:<code>`, see docs/events-protocol.md) and, when a case event
 * arrives, re-fetches the same figures as JSON (`data-data-url`, at most once per second) and
 * updates the numbers in place, re-orders the rankings, re-colours the map, replaces the
 * overdue list and redraws the charts; once a minute too, since deadlines pass without events.
 * `#board[data-refreshed]` counts completed refreshes.
 */
import { EventStream } from "../notifications/events.js";

const REFRESH_INTERVAL = 1000; // ms: at most one re-fetch per second
const IDLE_REFRESH = 60000; // ms: deadlines pass without events, so refresh now and then too
const COLORS = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#566573", "#148f77"];

const root = document.getElementById("board");
const notice = document.getElementById("live-notice");
const charts = {};

function readData() {
  const script = document.getElementById("board-data");
  return script ? JSON.parse(script.textContent) : null;
}

function showNotice(key, { reload = false } = {}) {
  if (!notice) return;
  notice.replaceChildren(document.createTextNode(notice.dataset[key] ?? ""));
  if (reload) {
    const link = document.createElement("a");
    link.href = location.href;
    link.textContent = notice.dataset.reload ?? "";
    notice.append(" ", link);
  }
  notice.hidden = false;
  if (!reload) setTimeout(() => (notice.hidden = true), 4000);
}

function chart(id, config) {
  const canvas = document.getElementById(id);
  if (!canvas || typeof window.Chart !== "function") return null;
  const options = { responsive: true, maintainAspectRatio: false, animation: { duration: 300 } };
  return new window.Chart(canvas, { ...config, options: { ...options, ...config.options } });
}

function drawCharts(data) {
  const trend = document.getElementById("board-trend");
  charts.trend = chart("board-trend", {
    type: "line",
    data: {
      labels: data.trend.labels,
      datasets: [
        { label: trend?.dataset.reported, data: data.trend.reported, borderColor: COLORS[0] },
        { label: trend?.dataset.closed, data: data.trend.closed, borderColor: COLORS[2] },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  charts.levels = chart("board-levels", {
    type: "doughnut",
    data: {
      labels: data.by_level.labels,
      datasets: [{ data: data.by_level.values, backgroundColor: COLORS }],
    },
  });
  charts.categories = chart("board-categories", {
    type: "bar",
    data: {
      labels: data.by_category.labels,
      datasets: [{ data: data.by_category.values, backgroundColor: COLORS[1] }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

function updateCharts(data) {
  const sets = {
    trend: [data.trend.labels, [data.trend.reported, data.trend.closed]],
    levels: [data.by_level.labels, [data.by_level.values]],
    categories: [data.by_category.labels, [data.by_category.values]],
  };
  for (const [name, [labels, series]] of Object.entries(sets)) {
    const target = charts[name];
    if (!target) continue;
    target.data.labels = labels;
    series.forEach((values, i) => (target.data.datasets[i].data = values));
    target.update();
  }
}

function setCells(scope, row) {
  for (const cell of scope.querySelectorAll("[data-metric]")) {
    const text = row.display[cell.dataset.metric];
    if (text !== undefined && cell.textContent !== text) cell.textContent = text;
  }
}

function updateTable(name, rows) {
  const body = root.querySelector(`tbody[data-table="${name}"]`);
  if (!body) return;
  rows.forEach((row) => {
    const line = body.querySelector(`tr[data-unit="${CSS.escape(row.code)}"]`);
    if (!line) return; // a unit the page did not list: shown after the next reload
    setCells(line, row);
    const rank = line.querySelector("[data-rank]");
    if (rank) rank.textContent = row.rank === null ? "—" : String(row.rank); // ties share one
    body.append(line); // in the server's ranking order
  });
}

function updateMap(shapes) {
  const label = root.dataset.openLabel ?? "";
  for (const shape of shapes) {
    const path = root.querySelector(`path[data-unit="${CSS.escape(shape.code)}"]`);
    if (!path) continue;
    path.setAttribute("class", `bucket-${shape.bucket}`);
    path.dataset.bucket = String(shape.bucket);
    path.dataset.open = String(shape.open);
    const count = root.querySelector(`[data-open-for="${CSS.escape(shape.code)}"]`);
    if (count) count.textContent = String(shape.open); // the grid's label on the map
    const link = path.closest("a");
    const text = `${link?.dataset.name ?? shape.code}: ${shape.open} ${label}`;
    link?.setAttribute("aria-label", text);
    const title = path.querySelector("title");
    if (title) title.textContent = text;
  }
}

function apply(data) {
  const totals = root.querySelector(".board-stats");
  if (totals) setCells(totals, data.total);
  for (const name of ["communities", "grids", "departments"]) updateTable(name, data[name]);
  updateMap(data.map);
  const overdue = document.getElementById("board-overdue");
  if (overdue && data.overdue_html !== undefined) overdue.innerHTML = data.overdue_html;
  const returns = document.getElementById("board-returns");
  if (returns && data.returns_html !== undefined) returns.innerHTML = data.returns_html;
  updateCharts(data);
  document.dispatchEvent(new CustomEvent("board-refreshed", { detail: { map: data.map } })); // map.js
  root.dataset.refreshed = String(Number(root.dataset.refreshed ?? 0) + 1);
}

async function refresh(announce) {
  try {
    const response = await fetch(root.dataset.dataUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok || response.redirected) throw new Error(`HTTP ${response.status}`);
    apply(await response.json());
    if (announce) showNotice("updated");
  } catch {
    showNotice("changed", { reload: true });
  }
}

let lastRefresh = 0;
let timer = null;
let running = false;
let again = false;
let announce = false; // say "updated" only when an event caused the refresh
function schedule(event) {
  if (event) announce = true;
  if (running) again = true;
  if (running || timer !== null) return;
  timer = setTimeout(
    async () => {
      timer = null;
      running = true;
      lastRefresh = Date.now();
      const loud = announce;
      announce = false;
      try {
        await refresh(loud);
      } finally {
        running = false;
        if (again) {
          again = false;
          schedule();
        }
      }
    },
    Math.max(0, lastRefresh + REFRESH_INTERVAL - Date.now()),
  );
}

if (root) {
  const data = readData();
  if (data) drawCharts(data);
  if ("WebSocket" in window) {
    const stream = new EventStream({
      streams: [root.dataset.stream],
      since: Number(root.dataset.since) || 0,
      storage: null, // the page's own render is the starting point, not an older visit
      onResync: schedule,
    });
    stream.addEventListener("event", schedule);
    for (const lost of ["revoked", "refused"]) {
      stream.addEventListener(lost, () => {
        stream.stop();
        showNotice("changed", { reload: true });
      });
    }
    setInterval(() => document.visibilityState === "visible" && schedule(null), IDLE_REFRESH);
    addEventListener("pagehide", () => stream.stop());
    addEventListener("pageshow", (e) => e.persisted && stream.start());
    stream.start();
  }
}
