"""A resident proves her phone in the browser (a code by SMS: the demo's console backend
writes it to the server's output) and then finds the case a grid member reported for her."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

LIU_PHONE = "13700001111"


def sms_code(server, phone: str) -> str:
    codes = re.findall(rf"\[SMS to {phone}\] .*?(\d{{6}})", server.log.read_text())
    assert codes, "no code was sent"
    return codes[-1]


def test_a_verified_phone_brings_the_cases_reported_for_her(person, server):
    number = server.shell(
        "from grids.models import Area, User; from workflows import services;"
        "from workflows.models import Category;"
        "case = services.case_report(title='楼道灯坏了', description='5 栋楼道灯不亮。',"
        " category=Category.objects.get(code='corridor'),"
        " area=Area.objects.get(code='QG-01-01-01'),"
        " source='grid_patrol', reporter=User.objects.get(username='qs_wgy01'),"
        f" contact_name='刘霞', contact_phone='{LIU_PHONE}'); print(case.number)"
    ).split()[-1]  # the shell may first say what it imported
    liu = person("resident_liu", phone=True)
    liu.goto("/w/resident/")
    expect(liu.locator("main")).not_to_contain_text(number)

    liu.click("a.who")
    liu.fill("input[name=phone]", "abc")
    liu.click("button:has-text('发送验证码')")
    expect(liu.locator(".error")).to_contain_text("请输入手机号码")
    liu.fill("input[name=phone]", LIU_PHONE)
    liu.click("button:has-text('发送验证码')")
    expect(liu.locator(".messages")).to_contain_text("验证码已通过短信发送")
    liu.fill("input[name=code]", sms_code(server, LIU_PHONE))
    screenshot(liu, "phone-account-code")
    liu.click("button:has-text('确认')")
    expect(liu.locator("[data-phone-verified]")).to_contain_text(LIU_PHONE)

    liu.goto("/w/resident/")
    expect(liu.locator("main")).to_contain_text(number)
    liu.locator("a", has_text=number).first.click()
    expect(liu.locator("h1")).to_contain_text("楼道灯坏了")
