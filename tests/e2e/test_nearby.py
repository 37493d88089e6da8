"""Already reported close by? A resident filling in the report form sees the grid member's case
of the same category a few metres away, with its photo and distance, and adds herself to it
(我也遇到) instead of reporting again; without an account the public form does the same by
phone."""

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_case_loop import point_in, report_on_phone


def grid_photo(tmp_path):
    path = tmp_path / "laptop.jpg"
    Image.new("RGB", (1200, 900), "#a63").save(path, "JPEG")
    return path


def followers(server, number: str) -> int:
    code = (
        "from workflows.models import Case; "
        f"print(Case.objects.get(number='{number}').follower_count)"
    )
    return int(server.shell(code).strip().splitlines()[-1])


def test_a_resident_adds_herself_to_the_case_nearby(person, server, tmp_path):
    here = point_in("QG-01-01")
    grid = person("qs_wgy01", phone=True, geolocation=here, permissions=["geolocation"])
    number = report_on_phone(grid, tmp_path)

    liu = person("resident_liu", phone=True, geolocation=here, permissions=["geolocation"])
    liu.goto("/cases/new/")
    expect(liu.locator(".locate-status")).to_contain_text("QG-01-01")
    expect(liu.locator(".nearby")).to_be_hidden()  # no category yet
    liu.locator(".chip", has_text="楼道堆物").click()
    expect(liu.locator(".nearby")).to_be_visible()
    item = liu.locator(".nearby-case").first  # the newest: the grid member's, just reported
    expect(item).to_contain_text("约 0 米")
    expect(item.locator(".nearby-photos img")).to_have_count(1)
    screenshot(liu, "phone-intake-nearby")
    item.locator(".nearby-follow").click()
    expect(liu.locator(".nearby-status").first).to_contain_text("已加入")
    assert followers(server, number) == 1

    laptop = person("qs_wgy02", geolocation=here, permissions=["geolocation"])
    laptop.goto("/cases/new/")
    laptop.locator(".chip", has_text="楼道堆物").click()
    expect(laptop.locator(".nearby-case").first).to_contain_text("米")
    laptop.set_input_files("input[name=photos]", str(grid_photo(tmp_path)))
    expect(laptop.locator(".photo-thumbs img")).to_have_count(1)
    screenshot(laptop, "desktop-intake-nearby")

    public = person(None, phone=True, geolocation=here, permissions=["geolocation"])
    public.goto("/report/")
    public.locator(".chip", has_text="楼道堆物").click()
    follow = public.locator(".nearby-case").first.locator(".nearby-follow")
    follow.click()
    expect(public.locator(".nearby-status").first).to_contain_text("电话")  # a phone is needed
    public.fill("input[name=contact_phone]", "13700001111")
    follow.click()
    expect(public.locator(".nearby-status").first).to_contain_text("已加入")
    assert followers(server, number) == 2
