/**
 * GridCase live events: a small client for /ws/events/ (protocol: docs/events-protocol.md).
 *
 * Plain ES module, no dependencies, no build step.
 *
 *   import { EventStream } from "./events.js";
 *   const stream = new EventStream({ streams: ["user", "case:GC-2024-0001"] });
 *   stream.addEventListener("event", (e) => console.log(e.detail));  // one CaseEvent payload
 *   stream.start();
 *
 * Options (all optional):
 *   streams        list of stream names to subscribe to (default []: notifications only).
 *   url            websocket URL (default ws(s)://<location.host>/ws/events/).
 *   onResync       called on a `resync` message, before the stored id is reset
 *                  (default: location.reload()).
 *   storage        where the highest processed id is kept, per stream set
 *                  (default: sessionStorage when available; null: keep it in memory only).
 *   since          highest event id already reflected by the page (overrides storage).
 *   baseDelay      first reconnect delay in ms (default 500); doubles per failed attempt,
 *   maxDelay       up to this many ms (default 30000); jittered to 50–100 % of the step.
 *   stableAfter    ms a connection must stay open to reset the backoff (default 10000).
 * Injectable for tests: WebSocket (constructor), setTimeout, clearTimeout, random, now,
 *   location.
 *
 * Events dispatched (EventTarget; payload in `event.detail`):
 *   event          one case event {id, kind, case, number, status, level, area, departments, at};
 *                  never a duplicate. Ids usually rise, but on PostgreSQL a transaction that
 *                  took its id earlier may commit later: such a late, lower id is delivered
 *                  once (the server replays with a time overlap; the client remembers ids).
 *   resync         {reason}: the replay window was exceeded (after onResync ran).
 *   notifications  {unread}: the unread notification count.
 *   revoked        {streams}: access to these streams was lost.
 *   refused        {stream, code, message}: a subscription was refused.
 *   subscribed     {streams}; replayed {last_id}; error {code, message}.
 *   status         {status}: "connecting" | "connected" | "reconnecting" (with `delay`)
 *                  | "logged-out" (close 4401/4403, no reconnect) | "closed" (stop()).
 */

const FINAL_CLOSE_CODES = new Set([4401, 4403]);
const STORAGE_PREFIX = "gridcase.events.since:";
const REMEMBERED_IDS = 500; // recent ids kept to drop repeats from the replay overlap

function defaultStorage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled (privacy settings, sandboxed frame)
  }
}

function defaultUrl(location) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws/events/`;
}

export class EventStream extends EventTarget {
  constructor(options = {}) {
    super();
    this.streams = [...new Set(options.streams ?? [])].sort();
    this.location = options.location ?? globalThis.location;
    this.url = options.url ?? defaultUrl(this.location);
    this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.setTimeout = options.setTimeout ?? globalThis.setTimeout.bind(globalThis);
    this.clearTimeout = options.clearTimeout ?? globalThis.clearTimeout.bind(globalThis);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.onResync = options.onResync ?? (() => this.location.reload());
    this.storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.storageKey = STORAGE_PREFIX + this.streams.join(",");
    this.baseDelay = options.baseDelay ?? 500;
    this.maxDelay = options.maxDelay ?? 30000;
    this.stableAfter = options.stableAfter ?? 10000;
    const stored = this._load();
    this.lastId = options.since ?? stored.lastId;
    this.seenIds = new Set(options.since == null ? stored.seen : []);
    this.attempts = 0;
    this.retryAfter = 0; // seconds, from a rate_limited error frame
    this.socket = null;
    this.timer = null;
    this.stopped = true;
    this.status = "idle";
  }

  /** Open the connection (and keep reopening it until stop() or a final close). */
  start() {
    this.stopped = false;
    this._connect();
    return this;
  }

  /** Close for good: no more reconnects. */
  stop() {
    this.stopped = true;
    if (this.timer !== null) this.clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000);
    this._setStatus("closed");
  }

  // --- connection -----------------------------------------------------------------------

  _connect() {
    this.timer = null;
    this._setStatus(this.attempts ? "reconnecting" : "connecting");
    const socket = new this.WebSocket(this.url);
    this.socket = socket;
    let openedAt = null;
    socket.onopen = () => {
      openedAt = this.now();
      this._send(socket, this._subscribeMessage());
      this._setStatus("connected");
    };
    socket.onmessage = (message) => this._receive(socket, message.data);
    socket.onclose = (close) => {
      if (this.socket !== socket) return; // an old socket, replaced or stopped
      this.socket = null;
      if (openedAt !== null && this.now() - openedAt >= this.stableAfter) this.attempts = 0;
      this._closed(close.code);
    };
    socket.onerror = () => {}; // a close event always follows
  }

  _closed(code) {
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this._setStatus("logged-out", { code });
      return;
    }
    const step = Math.min(this.maxDelay, this.baseDelay * 2 ** this.attempts);
    const jittered = Math.round(step / 2 + (this.random() * step) / 2);
    // 4429: the server said how long to wait (error frame with retry_after)
    const delay = Math.max(jittered, this.retryAfter * 1000);
    this.retryAfter = 0;
    this.attempts += 1;
    this._setStatus("reconnecting", { delay, code });
    this.timer = this.setTimeout(() => this._connect(), delay);
  }

  _subscribeMessage() {
    const message = { type: "subscribe", streams: this.streams };
    if (this.lastId !== null) message.since = this.lastId;
    return message;
  }

  _send(socket, message) {
    socket.send(JSON.stringify(message));
  }

  // --- server messages ------------------------------------------------------------------

  _receive(socket, data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return; // not ours to fix; the server only sends JSON
    }
    if (!message || typeof message !== "object") return;
    switch (message.type) {
      case "ping":
        this._send(socket, { type: "pong" });
        break;
      case "event":
        this._event(message.event);
        break;
      case "resync":
        this._resync(message);
        break;
      case "error":
        if (message.code === "rate_limited" && Number.isInteger(message.retry_after)) {
          this.retryAfter = message.retry_after;
        }
        {
          const { type, ...detail } = message;
          this._emit(type, detail);
        }
        break;
      case "notifications":
      case "revoked":
      case "refused":
      case "subscribed":
      case "replayed": {
        const { type, ...detail } = message;
        this._emit(type, detail);
        break;
      }
      default:
        break;
    }
  }

  _event(event) {
    const id = event && Number.isInteger(event.id) ? event.id : null;
    if (id === null || this.seenIds.has(id)) return;
    this.seenIds.add(id);
    if (this.seenIds.size > REMEMBERED_IDS) {
      this.seenIds.delete(Math.min(...this.seenIds));
    }
    this.lastId = this.lastId === null ? id : Math.max(this.lastId, id);
    this._emit("event", event);
    this._saveId();
  }

  _resync(message) {
    try {
      this.onResync(message);
    } finally {
      this.lastId = null;
      this.seenIds.clear();
      this._saveId();
      this._emit("resync", { reason: message.reason });
    }
  }

  // --- helpers --------------------------------------------------------------------------

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  _setStatus(status, extra = {}) {
    this.status = status;
    this._emit("status", { status, ...extra });
  }

  _load() {
    try {
      const raw = this.storage?.getItem(this.storageKey);
      const data = raw == null ? null : JSON.parse(raw);
      const lastId = Number.isInteger(data?.lastId) && data.lastId >= 0 ? data.lastId : null;
      const seen = Array.isArray(data?.seen) ? data.seen.filter(Number.isInteger) : [];
      return { lastId, seen: lastId === null ? [] : seen };
    } catch {
      return { lastId: null, seen: [] };
    }
  }

  _saveId() {
    try {
      if (!this.storage) return;
      if (this.lastId === null) this.storage.removeItem(this.storageKey);
      else {
        const seen = [...this.seenIds];
        this.storage.setItem(this.storageKey, JSON.stringify({ lastId: this.lastId, seen }));
      }
    } catch {
      // quota or privacy mode: the id stays in memory
    }
  }
}

/** Shorthand: a started EventStream. */
export function connect(options = {}) {
  return new EventStream(options).start();
}
