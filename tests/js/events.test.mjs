// Tests for notifications/static/notifications/events.js: node --test tests/js/
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

// Imported from a data: URL so the browser file needs no package.json "type": "module".
const source = readFileSync(
  new URL("../../notifications/static/notifications/events.js", import.meta.url),
  "utf8",
);
const { EventStream, connect } = await import(
  `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`
);

class FakeSocket {
  static instances = [];
  constructor(url) {
    this.url = url;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.instances.push(this);
  }
  send(data) {
    this.sent.push(JSON.parse(data));
  }
  close(code) {
    this.closedWith = code;
  }
  // server side
  open() {
    this.onopen?.({});
  }
  push(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

class FakeClock {
  constructor() {
    this.time = 0;
    this.timers = [];
  }
  now = () => this.time;
  setTimeout = (fn, ms) => {
    const timer = { fn, at: this.time + ms };
    this.timers.push(timer);
    return timer;
  };
  clearTimeout = (timer) => {
    this.timers = this.timers.filter((t) => t !== timer);
  };
  advance(ms) {
    this.time += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.time).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      due.fn();
    }
  }
}

class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
}

function setup(options = {}) {
  FakeSocket.instances = [];
  const clock = new FakeClock();
  const stream = new EventStream({
    streams: ["user", "area:G1"],
    url: "ws://test/ws/events/",
    WebSocket: FakeSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random: () => 1,
    storage: new MemoryStorage(),
    onResync: () => {},
    ...options,
  });
  const seen = { event: [], status: [], resync: [], notifications: [], refused: [], revoked: [], error: [] };
  for (const type of Object.keys(seen)) {
    stream.addEventListener(type, (e) => seen[type].push(e.detail));
  }
  stream.start();
  const socket = () => FakeSocket.instances.at(-1);
  return { stream, clock, seen, socket };
}

const event = (id) => ({ type: "event", event: { id, kind: "case.claimed", number: "C1" } });

test("subscribes with its streams on open, without since when nothing was seen", () => {
  const { socket, seen } = setup();
  assert.equal(socket().url, "ws://test/ws/events/");
  assert.deepEqual(socket().sent, []);
  socket().open();
  assert.deepEqual(socket().sent, [{ type: "subscribe", streams: ["area:G1", "user"] }]);
  assert.deepEqual(
    seen.status.map((s) => s.status),
    ["connecting", "connected"],
  );
});

test("default URL follows the page's scheme and host", () => {
  const stream = new EventStream({
    location: { protocol: "https:", host: "example.org:8443" },
    WebSocket: FakeSocket,
    storage: null,
  });
  assert.equal(stream.url, "wss://example.org:8443/ws/events/");
});

test("answers ping with pong", () => {
  const { socket } = setup();
  socket().open();
  socket().push({ type: "ping" });
  assert.deepEqual(socket().sent.at(-1), { type: "pong" });
});

test("drops repeated ids but delivers a late, lower id once", () => {
  const { socket, seen, stream } = setup();
  socket().open();
  for (const id of [5, 5, 7, 6, 7, 8, 6]) socket().push(event(id));
  assert.deepEqual(
    seen.event.map((e) => e.id),
    [5, 7, 6, 8],
  );
  assert.equal(stream.lastId, 8);
});

test("ids replayed again after a reload are not delivered twice", () => {
  const storage = new MemoryStorage();
  const first = setup({ storage });
  first.socket().open();
  for (const id of [3, 4]) first.socket().push(event(id));
  first.stream.stop();
  const again = setup({ storage });
  again.socket().open();
  for (const id of [3, 4, 2, 5]) again.socket().push(event(id)); // overlap, late 2, new 5
  assert.deepEqual(again.seen.event.map((e) => e.id), [2, 5]);
});

test("relays notifications, refused and revoked", () => {
  const { socket, seen } = setup();
  socket().open();
  socket().push({ type: "notifications", unread: 3 });
  socket().push({ type: "refused", stream: "area:G1", code: "forbidden", message: "no" });
  socket().push({ type: "revoked", streams: ["area:G1"] });
  assert.deepEqual(seen.notifications, [{ unread: 3 }]);
  assert.deepEqual(seen.refused, [{ stream: "area:G1", code: "forbidden", message: "no" }]);
  assert.deepEqual(seen.revoked, [{ streams: ["area:G1"] }]);
});

test("reconnects with exponential backoff and resubscribes since the highest id", () => {
  const { socket, clock, seen } = setup();
  socket().open();
  socket().push(event(41));
  socket().push(event(42));
  socket().drop(1006);
  assert.equal(FakeSocket.instances.length, 1);
  assert.equal(seen.status.at(-1).status, "reconnecting");
  assert.equal(seen.status.at(-1).delay, 500);
  clock.advance(499);
  assert.equal(FakeSocket.instances.length, 1);
  clock.advance(1);
  assert.equal(FakeSocket.instances.length, 2);

  socket().drop(1006); // failed before opening: the delay doubles
  assert.equal(seen.status.at(-1).delay, 1000);
  clock.advance(1000);
  assert.equal(FakeSocket.instances.length, 3);
  socket().open();
  assert.deepEqual(socket().sent, [{ type: "subscribe", streams: ["area:G1", "user"], since: 42 }]);

  socket().push(event(42)); // replayed twice: still dropped
  socket().push(event(43));
  assert.deepEqual(
    seen.event.map((e) => e.id),
    [41, 42, 43],
  );
});

test("backoff is capped, jittered, and reset after a stable connection", () => {
  const { socket, clock, seen } = setup({ random: () => 0 });
  for (let i = 0; i < 10; i++) {
    socket().drop(1006);
    clock.advance(60000);
  }
  const delays = seen.status.filter((s) => s.delay !== undefined).map((s) => s.delay);
  assert.deepEqual(delays.slice(0, 4), [250, 500, 1000, 2000]); // half the step with random 0
  assert.equal(Math.max(...delays), 15000); // half of the 30 s cap
  socket().open();
  clock.advance(10000);
  socket().drop(4408); // no pong: reconnect, starting over
  assert.equal(seen.status.at(-1).delay, 250);
});

test("stays closed after 4401 and 4403", () => {
  for (const code of [4401, 4403]) {
    const { socket, clock, seen } = setup();
    socket().open();
    socket().drop(code);
    clock.advance(120000);
    assert.equal(FakeSocket.instances.length, 1);
    assert.equal(seen.status.at(-1).status, "logged-out");
    assert.equal(clock.timers.length, 0);
  }
});

test("stop() closes without reconnecting", () => {
  const { socket, clock, stream, seen } = setup();
  socket().open();
  const first = socket();
  stream.stop();
  first.drop(1000);
  clock.advance(60000);
  assert.equal(first.closedWith, 1000);
  assert.equal(FakeSocket.instances.length, 1);
  assert.equal(seen.status.at(-1).status, "closed");
});

test("resync calls the handler and resets the stored id", () => {
  const storage = new MemoryStorage();
  const calls = [];
  const { socket, clock, stream, seen } = setup({
    storage,
    onResync: (message) => calls.push([message.reason, stream.lastId]),
  });
  socket().open();
  socket().push(event(9));
  assert.deepEqual(JSON.parse(storage.getItem("gridcase.events.since:area:G1,user")), {
    lastId: 9,
    seen: [9],
  });
  socket().push({ type: "resync", reason: "beyond_replay_window" });
  assert.deepEqual(calls, [["beyond_replay_window", 9]]);
  assert.equal(stream.lastId, null);
  assert.equal(storage.getItem("gridcase.events.since:area:G1,user"), null);
  assert.deepEqual(seen.resync, [{ reason: "beyond_replay_window" }]);

  socket().push(event(3)); // newer state after the reload: delivered again from scratch
  assert.deepEqual(
    seen.event.map((e) => e.id),
    [9, 3],
  );
  socket().drop(1006);
  clock.advance(1000);
  socket().open();
  assert.equal(socket().sent[0].since, 3);
});

test("the highest id persists per stream set across page loads", () => {
  const storage = new MemoryStorage();
  const first = setup({ storage });
  first.socket().open();
  first.socket().push(event(17));
  first.stream.stop();

  const again = setup({ storage, streams: ["user", "area:G1", "user"] });
  again.socket().open();
  assert.deepEqual(again.socket().sent[0], {
    type: "subscribe",
    streams: ["area:G1", "user"],
    since: 17,
  });

  const other = setup({ storage, streams: ["case:C1"] });
  other.socket().open();
  assert.equal(other.socket().sent[0].since, undefined);
});

test("the default resync handler reloads the page; connect() starts a stream", () => {
  FakeSocket.instances = [];
  let reloads = 0;
  const stream = connect({
    location: { protocol: "http:", host: "h", reload: () => reloads++ },
    WebSocket: FakeSocket,
    storage: null,
  });
  FakeSocket.instances[0].open();
  FakeSocket.instances[0].push({ type: "resync", reason: "beyond_replay_window" });
  assert.equal(reloads, 1);
  stream.stop();
});

test("after 4429 waits at least the retry_after the server named", () => {
  const { socket, clock, seen } = setup({ random: () => 0 });
  socket().open();
  socket().push({ type: "error", code: "rate_limited", retry_after: 42 });
  socket().drop(4429);
  assert.deepEqual(seen.error, [{ code: "rate_limited", retry_after: 42 }]);
  assert.equal(seen.status.at(-1).delay, 42000);
  clock.advance(41999);
  assert.equal(FakeSocket.instances.length, 1);
  clock.advance(1);
  assert.equal(FakeSocket.instances.length, 2);
  socket().drop(1006); // the next failure uses the ordinary backoff again
  assert.ok(seen.status.at(-1).delay < 42000);
});
