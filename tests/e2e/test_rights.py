"""Rights as practice has them (issue 18, items 13 and 14), in a real browser: the police's
part of a case ended, so its staff see only that part's history (phone and laptop); the
street official finds no verify button on a case the community dispatched, takes the
verification over (接管核查) with a reason, and then verifies it."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

RESOLVED_CASE = """
from django.core.files.uploadedfile import SimpleUploadedFile
import io
from PIL import Image
from grids.models import Area, Department, User
from workflows import services
from workflows.models import Category
person = lambda name: User.objects.get(username=name)
police = Department.objects.get(code="QG-PCS")
buffer = io.BytesIO(); Image.new("RGB", (64, 48), "green").save(buffer, "JPEG")
case = services.case_report(
    title="夜间噪音扰民", description="烧烤店凌晨两点仍在营业，噪音扰民。",
    category=Category.objects.get(code="street_vending"), area=Area.objects.get(code="QG-01-01"),
    source="grid_patrol", reporter=person("qs_wgy01"),
)
services.case_accept(case=case, actor=person("qs_wgy01"))
services.case_whistle(case=case, actor=person("qs_wgy01"), whistle_type="routine", reason="需部门")
services.case_dispatch(case=case, actor=person("qingshan_sq"), departments=[police],
                       lead=police, whistle_type="routine", reason="请派出所处理")
services.case_comment(case=case, actor=person("qingshan_sq"), text="社区内部备注")
services.case_claim(case=case, department=police, actor=person("pcs_zhang"))
services.case_dispatch_resolve(case=case, department=police, actor=person("pcs_zhang"),
    result="已劝导店主按时打烊", photos=[SimpleUploadedFile("a.jpg", buffer.getvalue(),
    content_type="image/jpeg")])
print(case.number)
"""


def test_an_ended_part_and_the_streets_take_over(server, person):
    number = server.shell(RESOLVED_CASE).strip().splitlines()[-1]

    for phone in (True, False):
        cop = person("pcs_zhang", phone=phone)
        cop.goto(f"/cases/{number}/")
        expect(cop.locator(".part-ended")).to_be_visible()
        expect(cop.locator(".dispatches")).to_contain_text("已劝导店主按时打烊")
        expect(cop.locator(".timeline")).to_contain_text("青杠派出所")
        expect(cop.locator("body")).not_to_contain_text("社区内部备注")
        expect(cop.locator(".case-actions")).to_have_count(0)
        screenshot(cop, f"{'phone' if phone else 'desktop'}-department-part-ended")

    street = person("qg_zhihui")
    street.goto(f"/cases/{number}/")
    expect(street.locator("#action-verify")).to_have_count(0)
    form = street.locator("#action-take_over_verification")
    form.locator("summary").click()
    form.locator("textarea[name$=-reason]").fill("群众反映强烈，街道直接核查")
    screenshot(street, "desktop-take-over-verification")
    form.locator("button[type=submit]").click()
    expect(street.locator(".timeline")).to_contain_text("群众反映强烈，街道直接核查")
    expect(street.locator("#action-verify")).to_be_visible()
    expect(street.locator("#action-take_over_verification")).to_have_count(0)

    phone = person("qg_zhihui", phone=True)
    phone.goto(f"/cases/{number}/")
    expect(phone.locator("#action-verify")).to_be_visible()
    screenshot(phone, "phone-verify-after-take-over")
