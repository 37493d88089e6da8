"""Web Push in Chromium: the service worker registers at the site's root, the notifications
page offers to subscribe and says why when the browser cannot, and the worker shows a pushed
message as a notification.

What a headless Chromium here cannot do: subscribe at a push service (it answers
"Registration failed - permission denied" even with the notifications and push permissions
granted, and this machine has no route to a push service), so the unsubscribe button (shown
only with a subscription) and a delivery through a real push service are not exercised in a
browser; the server side of both is tested against a local push service in
tests/notifications/test_push.py, and here the live server pushes to a local push service for
a subscription written into its database. The push message reaches the worker through the
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


SUBSCRIBE = """
from grids.models import User
from notifications.models import PushSubscription
PushSubscription.objects.create(user=User.objects.get(username="pcs_he"),
    endpoint="{endpoint}", p256dh="{p256dh}", auth="{auth}")
"""


def test_a_dispatch_in_the_browser_is_pushed_by_the_server_and_shown(server, person):
    """The whole way with a local push service in place of the browser vendor's: a dispatch
    sent from the community's page makes the live server sign and encrypt a push for the
    officer's subscription; the push service (this test) verifies and decrypts it, and hands
    it to the officer's service worker, which shows it."""
    import threading
    import time
    from http.server import HTTPServer

    from tests.e2e.test_department_queue import WHISTLED_UP
    from tests.notifications.test_push import Browser, PushService, vapid_claims

    service = HTTPServer(("127.0.0.1", 0), PushService)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    PushService.received, PushService.status = [], 201
    keys = Browser()
    endpoint = f"http://127.0.0.1:{service.server_port}/wpush/officer"
    try:
        from notifications.push import b64url

        server.shell(
            SUBSCRIBE.format(endpoint=endpoint, p256dh=keys.p256dh, auth=b64url(keys.auth))
        )
        public = server.shell(
            "from notifications.push import vapid_keys; print(vapid_keys().public)"
        ).split()[-1]
        officer = person("pcs_he", permissions=["notifications"])
        officer.goto("/notifications/")
        officer.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")

        waiting = server.shell(WHISTLED_UP).strip().splitlines()[-1]
        community = person("qingshan_sq")
        community.goto(f"/cases/{waiting}/#action-dispatch")
        community.locator("#action-dispatch").get_by_label("青杠派出所", exact=True).check()
        community.select_option("select[name=dispatch-lead]", label="青杠派出所")
        community.fill("textarea[name=dispatch-reason]", "夜间巡逻时顺带查看")
        community.click("#action-dispatch button[type=submit]")
        expect(community.locator(".message.success")).to_be_visible()
        deadline = time.monotonic() + 30  # the server's push thread, after the commit
        while not PushService.received and time.monotonic() < deadline:
            time.sleep(0.1)
        (request,) = PushService.received
        assert request["path"] == "/wpush/officer"
        assert vapid_claims(request["headers"]["authorization"], public)["sub"].startswith(
            "mailto:"
        )
        message = keys.decrypt(request["body"])
        assert waiting in message["body"] and message["url"] == f"/cases/{waiting}/"
    finally:
        service.shutdown()
        service.server_close()

    cdp = officer.context.new_cdp_session(officer)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        officer.wait_for_timeout(100)
    (registration,) = [r for r in registrations if r["scopeURL"] == f"{server.url}/"]
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": server.url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(message, ensure_ascii=False),
        },
    )
    shown = officer.wait_for_function(
        """() => navigator.serviceWorker.ready
            .then((r) => r.getNotifications())
            .then((all) => all.length ? all.map((n) => [n.title, n.body, n.data.url]) : null)"""
    ).json_value()
    assert shown == [[message["title"], message["body"], message["url"]]]
    assert "网格通" in message["title"]
