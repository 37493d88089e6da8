/**
 * The case maps (Leaflet + leaflet.markercluster, served from node_modules like Chart.js).
 *
 * Every `.cases-map` element is a map: its settings come from the JSON script named by
 * `data-settings` (workflows/views/maps.py `case_map`): the grid outlines (GeoJSON), the tiles
 * (`GRIDCASE_TILE_URL`; none by default, then the outlines are the base map and nothing is
 * fetched from outside) and the dots' URL. The dots are the cases the user may see in the
 * view, fetched again when the view moves: clustered, coloured by status, a tap opens the case.
 *
 * Every coordinate arrives already in the tiles' system, converted on the server
 * (grids/coords.py); a pin placed on the map goes back there (`/areas/at/?map=1`) to become
 * WGS-84 (`pinSetup`, the intake form). Nothing here converts coordinates.
 *
 * Live: on a board, board.js dispatches `board-refreshed` on the document after each refresh
 * (a case event arrived): the dots are fetched again and the grids re-coloured.
 * Strict CSP: no inline style or script; colours are CSS classes (map.css).
 */
const L = window.L;
const FETCH_DELAY = 250; // ms after the view stops moving

function settingsOf(element) {
  const script = document.getElementById(element.dataset.settings);
  return script ? JSON.parse(script.textContent) : null;
}

/** A Leaflet map in `element`, with the tiles if any and the grids' outlines; returns
 * { map, outlines, bounds }. */
export function mapCreate(element, settings) {
  const map = L.map(element, { zoomSnap: 0.25, tapTolerance: 20, maxZoom: 19, zoomControl: false });
  L.control.zoom({ position: "topright" }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.createPane("labels").classList.add("grid-labels-pane"); // above the grids, below the dots
  if (settings.tiles) {
    L.tileLayer(settings.tiles, {
      attribution: settings.attribution,
      subdomains: settings.subdomains || "abc",
      maxZoom: settings.max_zoom || 18,
    }).addTo(map);
  } else {
    element.classList.add("no-tiles"); // the outlines are the base map
  }
  const outlines = L.geoJSON(settings.features, {
    style: (feature) => ({ className: outlineClass(feature.properties) }),
    pointToLayer: (feature, latlng) =>
      L.circleMarker(latlng, { radius: Math.min(6 + (feature.properties.count || 0), 18), className: "hotspot-marker" }),
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      if (p.kind === "grid") {
        layer.bindTooltip(labelOf(p), { permanent: true, direction: "center", className: "grid-label", pane: "labels" });
        if (element.dataset.gridUrl) layer.on("click", () => location.assign(element.dataset.gridUrl.replace("CODE", encodeURIComponent(p.code))));
      } else if (p.kind === "hotspot") {
        layer.bindTooltip(p.name);
      }
    },
  }).addTo(map);
  const bounds = outlines.getBounds();
  map.on("zoomend", () => labelsFit(map, outlines));
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  else if (settings.center) map.setView(settings.center, 14);
  else map.setView([35, 105], 4); // no outline anywhere: the country, until a location comes
  labelsFit(map, outlines);
  return { map, outlines, bounds };
}

const LABEL_ROOM = 58; // px: a grid narrower than this on screen shows no label (a phone)

/** Labels only on the grids wide enough on screen to hold them. */
function labelsFit(map, outlines) {
  outlines.eachLayer((layer) => {
    const tooltip = layer.getTooltip?.();
    const element = tooltip?.getElement?.();
    if (!element || !layer.getBounds) return;
    const b = layer.getBounds();
    const width = map.latLngToContainerPoint(b.getNorthEast()).x - map.latLngToContainerPoint(b.getSouthWest()).x;
    element.classList.toggle("crowded", width < LABEL_ROOM);
  });
}

function outlineClass(p) {
  if (p.kind === "community") return "map-community";
  if (p.kind === "hotspot") return "hotspot-marker";
  if (p.kind === "grid") return `map-grid${p.bucket === undefined ? "" : ` bucket-${p.bucket}`}`;
  return "";
}

function labelOf(p) {
  const label = document.createElement("span");
  label.textContent = p.label || p.name;
  label.dataset.unit = p.code;
  if (p.open !== undefined) {
    const count = document.createElement("b");
    count.className = "open-count";
    count.textContent = String(p.open);
    label.append(document.createElement("br"), count);
  }
  return label;
}

/** The cases as clustered dots on `map`, fetched from `url` for the view. */
function dotsSetup(element, map, settings) {
  const clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    spiderfyOnMaxZoom: true,
    chunkedLoading: true,
  }).addTo(map);
  const status = element.parentElement.querySelector(".cases-map-status");
  const template = element.dataset.caseUrl;
  let timer = null;
  let asked = 0;

  async function load() {
    const b = map.getBounds();
    const box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6));
    const url = new URL(element.dataset.pointsUrl, location.href);
    url.searchParams.set("bbox", box.join(","));
    const mine = ++asked;
    let body;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch {
      return; // the dots stay as they were; the next move or event asks again
    }
    if (mine !== asked) return; // a newer view's answer is on its way
    const markers = body.points.map(([lat, lng, number, state]) => {
      const dot = L.circleMarker([lat, lng], { radius: 7, className: `case-dot status-${state}`, bubblingMouseEvents: false });
      dot.options.number = number;
      dot.bindTooltip(`${number} · ${settings.statuses[state] ?? state}`);
      dot.on("click", () => location.assign(template.replace("NUMBER", encodeURIComponent(number))));
      return dot;
    });
    clusters.clearLayers();
    clusters.addLayers(markers);
    element.dataset.dots = String(markers.length);
    element.dataset.loaded = String(Number(element.dataset.loaded ?? 0) + 1);
    if (status) status.textContent = body.capped ? settings.capped : "";
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(load, FETCH_DELAY);
  }
  map.on("moveend", later);
  load();
  return { reload: later, clusters };
}

function recolour(outlines, shapes) {
  const byCode = new Map(shapes.map((s) => [s.code, s]));
  outlines.eachLayer((layer) => {
    const p = layer.feature?.properties;
    const shape = p && p.kind === "grid" && byCode.get(p.code);
    if (!shape) return;
    p.open = shape.open;
    p.bucket = shape.bucket;
    const path = layer.getElement?.();
    if (path) path.setAttribute("class", `${outlineClass(p)} leaflet-interactive`);
    layer.setTooltipContent(labelOf(p));
  });
}

/** The intake form's pin: dragging it (or tapping the map) asks the server for the WGS-84
 * point and the grid there, and fills the form's latitude/longitude and grid. */
function pinSetup(element, map, form) {
  const lat = form.querySelector("input[name=latitude]");
  const lng = form.querySelector("input[name=longitude]");
  const select = form.querySelector("select[name=area]");
  const box = form.querySelector(".location");
  const say = (text) => {
    const status = box?.querySelector(".locate-status");
    if (status) status.textContent = text;
  };
  let pin = null;

  function place(latlng) {
    if (pin) pin.setLatLng(latlng);
    else {
      pin = L.marker(latlng, { draggable: true, autoPan: true, keyboard: true, title: element.dataset.pinTitle });
      pin.on("dragend", () => moved(pin.getLatLng()));
      pin.addTo(map);
    }
  }

  async function moved(latlng) {
    const url = new URL(box.dataset.locateUrl, location.href);
    url.searchParams.set("lat", latlng.lat.toFixed(7));
    url.searchParams.set("lng", latlng.lng.toFixed(7));
    url.searchParams.set("map", "1");
    let body;
    try {
      body = await (await fetch(url, { credentials: "same-origin" })).json();
    } catch {
      say(box.dataset.denied);
      return;
    }
    if (!body.point) {
      say(body.error || box.dataset.denied);
      return;
    }
    lat.value = body.point[0].toFixed(6);
    lng.value = body.point[1].toFixed(6);
    form.dispatchEvent(new CustomEvent("located", { detail: { fromMap: true } }));
    const option = body.area && select?.querySelector(`option[value="${body.area.pk}"]`);
    if (option) {
      select.value = String(body.area.pk);
      select.dispatchEvent(new Event("change", { bubbles: true }));
      say(`${element.dataset.pinFound} ${body.area.name} (${body.area.code})`);
    } else {
      say(body.error || box.dataset.denied);
    }
  }

  map.on("click", (e) => {
    place(e.latlng);
    moved(e.latlng);
  });
  // The browser's location (intake.js), or one kept in the form, is WGS-84: the server says
  // where it is on the map.
  async function show() {
    if (!lat.value || !lng.value) return;
    const url = new URL(box.dataset.locateUrl, location.href);
    url.searchParams.set("lat", lat.value);
    url.searchParams.set("lng", lng.value);
    try {
      const body = await (await fetch(url, { credentials: "same-origin" })).json();
      if (body.map_point) {
        place(body.map_point);
        map.once("moveend", () => (element.dataset.pinned = String(Number(element.dataset.pinned ?? 0) + 1)));
        map.setView(body.map_point, Math.max(map.getZoom(), 16)); // close enough to place it
      }
    } catch {
      // the pin waits for a tap
    }
  }
  form.addEventListener("located", (event) => event.detail?.fromMap || show());
  show();
  return { place };
}

function init(element) {
  if (!L || element.dataset.ready) return;
  const settings = settingsOf(element);
  if (!settings) return;
  element.dataset.ready = "1";
  const { map, outlines } = mapCreate(element, settings);
  element.closest("[data-map-host]")?.setAttribute("data-map", "leaflet"); // the SVG steps aside
  const form = element.closest("form");
  if (form && element.dataset.role === "pin") {
    pinSetup(element, map, form);
    return;
  }
  const dots = dotsSetup(element, map, settings);
  if (element.hasAttribute("data-live")) {
    document.addEventListener("board-refreshed", (event) => {
      if (event.detail?.map) recolour(outlines, event.detail.map);
      dots.reload();
    });
  }
}

function start() {
  for (const element of document.querySelectorAll(".cases-map")) {
    const folded = element.closest("details");
    if (folded && !folded.open) {
      // a map in a folded section starts when opened (Leaflet needs its size)
      folded.addEventListener("toggle", () => folded.open && init(element), { once: false });
    } else {
      init(element);
    }
  }
}

start();
