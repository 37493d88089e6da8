/* GridCase service worker (served at /sw.js, scope "/"): shows the Web Push notifications the
 * server sends (notifications/push.py) while no page of the site is open, and opens the
 * case (or the notifications page) when one is tapped. It caches nothing. */
{% load i18n %}{% translate "GridCase" as title %}"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = { body: event.data ? event.data.text() : "" };
  }
  const title = message.title || "{{ title|escapejs }}";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: message.body || "",
      tag: message.tag || undefined,
      data: { url: message.url || "/notifications/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/notifications/", self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).origin === target.origin && "navigate" in client) {
          return client.navigate(target.href).then((page) => (page || client).focus());
        }
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
