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


def _minutes(limit) -> int:
    return int(limit.total_seconds() // 60)


def forwards(apps, schema_editor):
    Category = apps.get_model("workflows", "Category")
    TimeLimitPolicy = apps.get_model("workflows", "TimeLimitPolicy")
    for order, (code, name, kind, priority) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "default_department_kind": kind,
                      "default_priority": priority, "sort_order": order * 10},
        )
    # The defaults of `workflows.deadlines`, written once as editable rows.
    from workflows.deadlines import DEFAULT_LIMITS, default_limits

    for priority in DEFAULT_LIMITS:
        for level in ("grid", "community", "street", "department"):
            respond, resolve = default_limits(priority, level)
            TimeLimitPolicy.objects.get_or_create(
                category=None, priority=priority, level=level,
                defaults={"respond_minutes": _minutes(respond),
                          "resolve_minutes": _minutes(resolve)},
            )


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
