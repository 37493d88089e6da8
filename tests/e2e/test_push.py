"""Web Push in Chromium: the service worker registers at the site's root, the notifications
page offers to subscribe and says why when the browser cannot, and the worker shows a pushed
message as a notification.

What a headless Chromium here cannot do: subscribe at a push service (it answers
"Registration failed - permission denied" even with the notifications and push permissions
granted, and this machine has no route to a push service), so the unsubscribe button (shown
only with a subscription) and a delivery through a real push service are not exercised in a
browser; the server side of both is tested against a local push service in
tests/notifications/test_push.py. The push message here reaches the worker through the
DevTools protocol (ServiceWorker.deliverPushMessage), as a push service would deliver it;
tapping the notification (notificationclick) has no DevTools command and is not tested."""

import json

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot


def test_the_worker_registers_the_page_offers_push_and_a_push_is_shown(server, person):
    for phone in (False, True):
        page = person("pcs_he", phone=phone, permissions=["notifications"])
        page.goto("/notifications/")
        box = page.locator("#push-settings")
        expect(box).to_have_attribute("data-state", "off")
        expect(box.locator("[data-push-status]")).to_have_text(
            "在本设备上接收通知，页面关闭时也能收到。"
        )
        expect(box.locator("[data-push-subscribe]")).to_be_visible()
        expect(box.locator("[data-push-unsubscribe]")).to_be_hidden()
        scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
        assert scope == f"{server.url}/"
        screenshot(page, f"{'phone' if phone else 'desktop'}-notifications-push")

    page.click("[data-push-subscribe]")  # the browser has no push service to subscribe at
    expect(box).to_have_attribute("data-state", "failed")
    expect(box.locator("[data-push-status]")).to_contain_text("此浏览器无法订阅推送通知")
    expect(box.locator("[data-push-subscribe]")).to_be_visible()  # it may be tried again
    assert (
        server.shell(
            "from notifications.models import PushSubscription as P; print(P.objects.count())"
        )
        .strip()
        .endswith("0")
    )

    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    (registration,) = [r for r in registrations if r["scopeURL"] == f"{server.url}/"]
    message = {"title": "网格通 · 新的待办", "body": "日常哨 QG-1：请报到", "url": "/cases/QG-1/"}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": server.url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(message),
        },
    )
    shown = page.wait_for_function(
        """() => navigator.serviceWorker.ready
            .then((r) => r.getNotifications())
            .then((all) => all.length ? all.map((n) => [n.title, n.body, n.data.url]) : null)"""
    ).json_value()
    assert shown == [[message["title"], message["body"], message["url"]]]
