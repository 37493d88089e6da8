"""Demo taxonomy from the seed articles and the default time limits from practice.

Both are ordinary rows, editable in the admin afterwards.
"""

from django.db import migrations

CATEGORIES = [
    # code, name, default department kind, default priority
    ("sanitation", "环境卫生", "urban_management", "normal"),
    ("property", "物业纠纷", "housing", "normal"),
    ("parking", "车辆乱停", "police", "normal"),
    ("corridor", "楼道堆物", "housing", "normal"),
    ("sewer", "下水管网", "water", "urgent"),
    ("fire_lane", "消防通道", "comprehensive_enforcement", "urgent"),
    ("street_vending", "占道经营", "urban_management", "normal"),
    ("neighbour", "邻里纠纷", "justice", "normal"),
    ("security", "治安隐患", "police", "urgent"),
    ("food_safety", "食品安全", "market_regulation", "urgent"),
    ("noise", "噪音扰民", "environment", "normal"),
    ("building_safety", "房屋安全", "housing", "complex"),
]
MINUTE, HOUR, DAY = 1, 60, 24 * 60
# priority: (respond at grid/community/street, resolve, department claim)
LIMITS = {
    "emergency": (5 * MINUTE, 2 * HOUR, 5 * MINUTE),
    "urgent": (30 * MINUTE, 24 * HOUR, 30 * MINUTE),
    "normal": (2 * HOUR, 7 * DAY, 30 * MINUTE),
    "complex": (2 * HOUR, 15 * DAY, 30 * MINUTE),
}


def forwards(apps, schema_editor):
    Category = apps.get_model("workflows", "Category")
    TimeLimitPolicy = apps.get_model("workflows", "TimeLimitPolicy")
    for order, (code, name, kind, priority) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "default_department_kind": kind,
                      "default_priority": priority, "sort_order": order * 10},
        )
    for priority, (respond, resolve, claim) in LIMITS.items():
        for level in ("grid", "community", "street", "department"):
            TimeLimitPolicy.objects.get_or_create(
                category=None, priority=priority, level=level,
                defaults={"respond_minutes": claim if level == "department" else respond,
                          "resolve_minutes": resolve},
            )


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
