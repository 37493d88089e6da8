"""积分 in real browsers: a resident on a phone sees their points and asks for goods; the
community's desk on a laptop finds them by their code, hands over what they asked for and
redeems more at the counter; a party member on a phone answers a neighbour's request."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot


@pytest.fixture(scope="module")
def programme(server):
    server.shell("from points.demo import demo_points_create; demo_points_create()")


def balance(page) -> int:
    return int(page.locator("[data-balance]").first.inner_text())


def test_my_points_the_desk_and_a_help_request(person, programme):
    resident = person("resident_liu", phone=True)
    resident.goto("/points/")
    expect(resident.locator("h1").first).to_contain_text("我的积分")
    code = resident.locator("[data-code]").first.inner_text().strip()
    before = balance(resident)
    soap = resident.locator(".points-goods li", has_text="肥皂")
    soap.get_by_role("button", name="申请兑换").click()
    expect(resident.locator(".messages")).to_contain_text("请到积分超市领取")
    assert balance(resident) == before - 5
    expect(resident.locator("section", has_text="待领取").first).to_contain_text("肥皂")
    screenshot(resident, "phone-my-points")

    desk = person("qingshan_sq")
    desk.goto("/points/desk/")
    expect(desk.locator("h1")).to_contain_text("积分工作台")
    expect(desk.locator("section", has_text="线上申请，待领取")).to_contain_text("肥皂")
    screenshot(desk, "desktop-points-desk")
    desk.locator("section", has_text="线上申请，待领取").get_by_role(
        "button", name="交付"
    ).first.click()
    expect(desk.locator(".messages")).to_contain_text("已交付")
    desk.fill("#find-q", code)
    desk.get_by_role("button", name="查找").click()
    expect(desk).to_have_url(re.compile(r"/points/desk/QG-01/accounts/\d+/$"))
    at_counter = balance(desk)
    desk.locator(".points-goods li", has_text="水杯").get_by_role("button", name="兑换").click()
    expect(desk.locator(".messages")).to_contain_text("兑换成功")
    assert balance(desk) == at_counter - 15
    screenshot(desk, "desktop-points-counter")

    party = person("party_01", phone=True)
    party.goto("/points/")  # open before the request is sent: it arrives live
    expect(party.locator("#live-status")).to_have_attribute("data-status", "connected")
    party.evaluate("window.__never_reloaded = true")
    resident.goto("/points/")
    resident.fill("input[name=title]", "帮忙把米扛上五楼")
    resident.get_by_role("button", name="发给本社区党员和志愿者").click()
    expect(resident.locator(".messages")).to_contain_text("已发出")

    ask = party.locator("li", has_text="帮忙把米扛上五楼")
    expect(ask).to_be_visible()
    assert party.evaluate("window.__never_reloaded === true")
    ask.get_by_role("button", name="我来报到").click()
    expect(party.locator(".messages")).to_contain_text("报到成功")
    screenshot(party, "phone-points-helper")
