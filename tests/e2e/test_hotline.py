"""A street official imports a hotline file in the browser: upload, columns, the progress
page filling as the timer dispatcher works the job, the rows to place; then the board's hot
spots and the monthly report, at phone and laptop sizes."""

import csv
import io
import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.processes import manage

HEADINGS = ["工单编号", "来电时间", "诉求内容", "诉求地址", "诉求人", "联系电话", "诉求类别"]


def _file(tmp_path) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    for n in range(12):
        writer.writerow([f"E2E{n:03d}", "2026-12-01 09:00", f"青山路垃圾堆积 {n}", f"青山路{n}号",
                         "王先生", "", "环境卫生"])  # fmt: skip
    writer.writerow(["E2E100", "2026-12-01 09:00", "地址不明", "某处", "", "", "环境卫生"])
    writer.writerow(["E2E101", "明天", "时间不对", "青山路1号", "", "", "环境卫生"])
    path = tmp_path / "工单.csv"
    path.write_bytes(out.getvalue().encode("gbk"))
    return str(path)


def test_a_hotline_file_is_imported_with_its_progress_shown(person, server, tmp_path):
    server.shell(
        "from grids.models import Area; from hotline.models import GazetteerEntry;"
        "GazetteerEntry.objects.get_or_create(street=Area.objects.get(code='QG'), name='青山路',"
        " defaults={'area': Area.objects.get(code='QG-01-01')})"
    )
    official = person("qg_zhihui")
    official.goto("/hotline/")
    official.set_input_files("input[name=file]", _file(tmp_path))
    official.click("button.primary")
    expect(official.locator("h1")).to_contain_text("选择")
    screenshot(official, "desktop-hotline-columns")
    official.click("button.primary")
    card = official.locator("[data-import-job]")
    expect(card).to_have_attribute("data-state", "queued")
    manage("run_timers", "--once", check=True, **server.env)  # the dispatcher, another process
    expect(card).to_have_attribute("data-state", "done", timeout=20_000)
    expect(card.locator("[data-field=created]")).to_have_text("12")
    expect(card.locator("[data-field=failed]")).to_have_text("1")
    expect(card.locator("[data-field=unplaced]")).to_have_text("1")
    screenshot(official, "desktop-hotline-progress")
    phone = person("qg_zhihui", phone=True)
    phone.goto(official.url)
    expect(phone.locator("[data-import-job]")).to_have_attribute("data-state", "done")
    screenshot(phone, "phone-hotline-progress")
    official.click("a:has-text('待落位')")
    official.select_option("select[name=area]", label="青山社区第1网格 (QG-01-01)")
    official.click("button:has-text('落位')")
    expect(official.locator(".messages")).to_contain_text("第 14 行")
    expect(official.locator("main")).to_contain_text("没有待落位")
    official.goto("/cases/?hotline_number=E2E003")
    expect(official.locator("main")).to_contain_text("QG-")


def test_the_board_hot_spots_and_the_report_print_on_a4(person, server):
    server.shell(
        "from decimal import Decimal; from grids.models import Area, User;"
        "from workflows import services; from workflows.models import Category;"
        "from workflows.hotspots.compute import hotspots_compute;"
        "grid = Area.objects.get(code='QG-01-01'); who = User.objects.get(username='qs_wgy01');"
        "[services.case_report(title='占道经营', description='夜市占道', category="
        "Category.objects.get(code='street_vending'), area=grid, source='grid_patrol',"
        " reporter=who, latitude=Decimal('29.575') + Decimal(n) / 100000,"
        " longitude=Decimal('106.195')) for n in range(4)]; hotspots_compute()"
    )
    official = person("qg_zhihui")
    official.goto("/w/board/")
    expect(official.locator("#hotspots tbody tr")).to_have_count(1)
    official.locator("#hotspots").scroll_into_view_if_needed()
    screenshot(official, "desktop-board-hotspots")
    phone = person("qg_zhihui", phone=True)
    phone.goto("/w/board/")
    expect(phone.locator("#hotspots")).to_contain_text("占道经营")
    official.goto("/w/report/QG/")
    expect(official.locator(".report-section")).to_have_count(3)
    screenshot(official, "desktop-monthly-report")
    phone.goto("/w/report/QG/")
    screenshot(phone, "phone-monthly-report")
    official.emulate_media(media="print")
    expect(official.locator(".topbar")).to_be_hidden()
    pdf = official.pdf(format="A4", prefer_css_page_size=True)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) >= 4  # the heading, then one page (at least) per section
