/**
 * Web Push on the notifications page: registers the service worker (/sw.js, scope "/"),
 * shows whether this browser is subscribed, and subscribes or unsubscribes it. The server
 * keeps the subscription (POST JSON to data-url); the texts come from data-* attributes.
 * The page's live refresh replaces the markup: the state is shown again after it.
 */
const SELECTOR = "#push-settings";
let registration = null;
let failure = "";

function settings() {
  return document.querySelector(SELECTOR);
}

function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function tellServer(box, body) {
  const answer = await fetch(box.dataset.url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  if (!answer.ok) {
    const reason = await answer.json().catch(() => ({}));
    throw new Error(reason.error || `HTTP ${answer.status}`);
  }
}

async function show() {
  const box = settings();
  if (!box) return;
  box.hidden = false;
  const status = box.querySelector("[data-push-status]");
  const on = box.querySelector("[data-push-subscribe]");
  const off = box.querySelector("[data-push-unsubscribe]");
  if (!registration) {
    status.textContent = box.dataset.unsupported;
    on.hidden = off.hidden = true;
    return;
  }
  const subscription = await registration.pushManager.getSubscription();
  const denied = Notification.permission === "denied";
  on.hidden = Boolean(subscription) || denied;
  off.hidden = !subscription;
  let text = subscription ? box.dataset.on : denied ? box.dataset.denied : box.dataset.off;
  if (failure) text = `${box.dataset.failed} ${failure}`;
  status.textContent = text;
  box.dataset.state = subscription ? "on" : denied ? "denied" : failure ? "failed" : "off";
}

async function subscribe(box) {
  failure = "";
  try {
    if ((await Notification.requestPermission()) !== "granted") return;
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(box.dataset.key),
    });
    try {
      await tellServer(box, { action: "subscribe", ...subscription.toJSON() });
    } catch (error) {
      await subscription.unsubscribe(); // the server does not know it: do not keep it
      throw error;
    }
  } catch (error) {
    failure = error.message || String(error);
  }
}

async function unsubscribe(box) {
  failure = "";
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  try {
    await tellServer(box, { action: "unsubscribe", endpoint: subscription.endpoint });
    await subscription.unsubscribe();
  } catch (error) {
    failure = error.message || String(error);
  }
}

async function start() {
  const box = settings();
  if (!box) return;
  if ("serviceWorker" in navigator && "PushManager" in window && "Notification" in window) {
    try {
      await navigator.serviceWorker.register(box.dataset.worker, { scope: "/" });
      registration = await navigator.serviceWorker.ready;
    } catch (error) {
      registration = null;
    }
  }
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-push-subscribe], [data-push-unsubscribe]");
    const current = settings();
    if (!button || !current || !registration) return;
    button.disabled = true;
    await ("pushSubscribe" in button.dataset ? subscribe(current) : unsubscribe(current));
    button.disabled = false;
    await show();
  });
  document.addEventListener("live:refreshed", () => show());
  await show();
}

start();
