import csv
import io

import pytest

from gridcase.spreadsheets import Sheet, workbook_bytes
from hotline.models import GazetteerEntry
from tests.factories import square
from tests.workflows.world import world_build

HEADINGS = [
    "工单编号",
    "来电时间",
    "诉求内容",
    "诉求地址",
    "诉求人",
    "联系电话",
    "诉求类别",
    "承办单位",
    "办理时限",
    "纬度",
    "经度",
]
# G1 covers lng 104.00–104.01, lat 30.00–30.01; the street S a larger square around it.
ROWS = [
    [
        "GD001",
        "2026-12-01 09:15:00",
        "小区门口垃圾堆积",
        "青山路8号",
        "王先生",
        "13800000001",
        "环境卫生",
        "青杠街道",
        "2026-12-08 09:15",
        "30.005",
        "104.005",
    ],
    [
        "GD002",
        "2026/12/01 10:00",
        "楼道堆满纸箱",
        "青山路12号院3栋",
        "李女士",
        "13800000002",
        "楼道堆物",
        "青杠街道",
        "",
        "",
        "",
    ],
    ["GD003", "2026-12-01 11:00", "半夜施工噪音", "青山路20号", "", "", "噪音扰民", "", "", "", ""],
    [
        "GD004",
        "2026-12-01 12:00",
        "地址不明的诉求",
        "不知道在哪",
        "",
        "",
        "物业纠纷",
        "",
        "",
        "",
        "",
    ],
    ["GD005", "昨天下午", "来电时间写错", "青山路1号", "", "", "环境卫生", "", "", "", ""],
    ["", "2026-12-01 13:00", "没有工单编号", "青山路1号", "", "", "环境卫生", "", "", "", ""],
]


def csv_bytes(rows=ROWS, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows=ROWS) -> bytes:
    return workbook_bytes([Sheet("工单", HEADINGS, rows)])


def hotline_world():
    """The test street with boundaries on S, C1 and G1 and a gazetteer of two names."""
    world = world_build()
    street, c1, g1 = world.areas["S"], world.areas["C1"], world.areas["G1"]
    street.boundary = square(103.9, 29.9, 0.3)
    street.save()
    c1.boundary = square(103.95, 29.95, 0.1)
    c1.save()
    g1.boundary = square(104.0, 30.0, 0.01)
    g1.save()
    GazetteerEntry.objects.create(street=street, name="青山路", area=world.areas["G2"])
    GazetteerEntry.objects.create(street=street, name="青山路12号院", area=world.areas["G3"])
    return world


@pytest.fixture
def world(db):
    return hotline_world()
