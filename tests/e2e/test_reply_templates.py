"""常用回复 in Chromium: the police station's head keeps its reply templates on a page of its
own; an officer fills a return from the queue card and a result on the case page with one tap
(the template's text lands in the box, what was typed is kept), on a phone and a laptop."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_claim_race import DISPATCHED_CASE

TEMPLATES = "from fixtures.demo_replies import demo_replies_create; print(demo_replies_create())"
CLAIM = (
    "from grids.models import Department, User\nfrom workflows import services\n"
    "from workflows.models import Case\n"
    "case = Case.objects.get(number='{number}')\n"
    "services.case_claim(case=case, department=Department.objects.get(code='QG-PCS'), "
    "actor=User.objects.get(username='pcs_he'))\n"
)


def test_templates_fill_the_return_in_the_queue_and_the_result_on_the_case_page(server, person):
    server.shell(TEMPLATES)
    to_return = server.shell(DISPATCHED_CASE).strip().splitlines()[-1]
    to_resolve = server.shell(DISPATCHED_CASE).strip().splitlines()[-1]
    server.shell(CLAIM.format(number=to_resolve))

    for phone in (True, False):
        police = person("pcs_he", phone=phone)
        police.goto("/w/department/")
        card = police.locator(f'[data-queue] .case-card[data-case="{to_return}"]')
        card.locator(".quick-return > summary").click()
        box = card.locator("textarea")
        expect(box).to_be_visible()
        buttons = card.locator(".reply-buttons button")
        expect(buttons).to_have_text(["非公安职责", "信息不全"])  # the station's own, in order
        expect(card.locator(".reply-buttons")).not_to_contain_text("非城管职责")
        buttons.first.click()
        expect(box).to_have_value(
            "经核实，该事项不属于公安机关职责范围，建议派往城管或相关部门处理。"
        )
        card.scroll_into_view_if_needed()
        screenshot(police, f"{'phone' if phone else 'desktop'}-queue-return-template")

    box.fill("居民反映的是噪音问题。")  # typed first: the template is added on a new line
    buttons.nth(1).click()
    expect(box).to_have_value(
        "居民反映的是噪音问题。\n地址和问题描述不完整，无法定位现场，请补充具体位置和照片后重新派单。"
    )
    card.locator(".quick-return button[type=submit]").click()
    expect(police.locator(".message.success")).to_be_visible()
    assert police.url.endswith("/w/department/")  # back on the queue
    expect(police.locator(f'[data-queue] [data-case="{to_return}"]')).to_have_count(0)

    for phone in (True, False):
        police = person("pcs_he", phone=phone)
        police.goto(f"/cases/{to_resolve}/")
        form = police.locator("#action-resolve-QG-PCS")
        result = form.locator("textarea[name='resolve-QG-PCS-result']")
        form.locator(".reply-buttons button", has_text="已调解").click()
        expect(result).to_have_value("民警已到场调解，双方达成一致意见，矛盾已化解，将持续回访。")
        ret = police.locator("#action-return-QG-PCS")
        if not ret.evaluate("d => d.open"):
            ret.locator("summary").click()
        expect(ret.locator(".reply-buttons button")).to_have_text(["非公安职责", "信息不全"])
        form.scroll_into_view_if_needed()
        screenshot(police, f"{'phone' if phone else 'desktop'}-case-result-template")


def test_the_head_keeps_the_templates_on_a_page_of_its_own(server, person):
    server.shell(TEMPLATES)
    for phone in (True, False):
        head = person("pcs_li", phone=phone)
        head.goto("/w/department/")
        head.get_by_role("link", name="常用回复").click()
        expect(head.locator("h1")).to_have_text("常用回复")
        screenshot(head, f"{'phone' if phone else 'desktop'}-reply-templates")
    new = head.locator("#replies-QG-PCS form").last
    new.locator("select[name=kind]").select_option("result")
    new.locator("input[name=title]").fill("已移交")
    new.locator("textarea[name=text]").fill("已移交辖区交警中队处理。")
    new.locator("button[type=submit]").click()
    expect(head.locator(".message.success")).to_contain_text("常用回复已保存")
    expect(head.locator("#replies-QG-PCS input[name=title][value=已移交]")).to_have_count(1)
    staff = person("pcs_he")
    staff.goto("/w/department/")
    expect(staff.get_by_role("link", name="常用回复")).to_have_count(0)
