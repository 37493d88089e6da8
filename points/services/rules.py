"""The community's 正向积分事项清单, edited by its staff."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import Area, User

from ..errors import require
from ..models import EarningRule
from ..permissions import desk_allows


@transaction.atomic
def rule_save(
    *,
    community: Area,
    actor: User,
    item: str,
    points: int,
    trigger: str = EarningRule.Trigger.MANUAL,
    awarded_by: str = "",
    evidence: str = "",
    monthly_cap: int | None = None,
    active: bool = True,
    rule: EarningRule | None = None,
) -> EarningRule:
    """Add an item to the list, or change `rule` (entries already made keep their points)."""
    require(desk_allows(actor, community), _("You may not change this community's list."))
    if rule is not None and rule.community_id != community.pk:
        raise ValidationError(_("This item belongs to another community."))
    if not item.strip() or points <= 0 or trigger not in EarningRule.Trigger.values:
        raise ValidationError(_("An item needs a name, its points and how it is earned."))
    if monthly_cap is not None and monthly_cap < 0:
        raise ValidationError(_("The monthly cap cannot be negative."))
    manual = trigger == EarningRule.Trigger.MANUAL
    rule = rule or EarningRule(community=community)
    rule.item, rule.points, rule.trigger = item.strip(), points, trigger
    rule.awarded_by = awarded_by or (
        EarningRule.Awarder.COMMUNITY_STAFF if manual else EarningRule.Awarder.SYSTEM
    )
    rule.evidence, rule.monthly_cap, rule.active = evidence.strip(), monthly_cap, active
    rule.save()
    return rule
