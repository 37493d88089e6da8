"""Who may do what with points: the one module the services, pages and API ask.

The points desk of a community (awarding, the counter, goods, activities, rules, export) is
for whoever may dispatch its cases: its community staff, the street above it and superusers
(`dispatch_area_cases`, granted per unit by grids/roles.py). A person sees their own
accounts; party members and volunteers (account kind) answer their community's requests.
"""

from django.db.models import QuerySet

from grids.models import Area, User
from grids.roles import AreaLevel
from grids.selectors import area_allows, areas_q

from .models import Account

DESK_PERMISSION = "dispatch_area_cases"
BOARD_PERMISSION = "view_area_board"


def desk_allows(user: User, community: Area) -> bool:
    """May `user` work the points desk of `community`?"""
    return user.is_active and area_allows(user, DESK_PERMISSION, community)


def desk_communities(user: User) -> QuerySet[Area]:
    """The communities whose points desk `user` may work."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(areas_q(user, DESK_PERMISSION))


def board_communities(user: User) -> QuerySet[Area]:
    """The communities whose points figures `user` may see on the board."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(areas_q(user, BOARD_PERMISSION))


def account_visible(user: User, account: Account) -> bool:
    """The owner, and the desk of the account's community."""
    return account.user_id == user.pk or desk_allows(user, account.community)


def account_helps(account: Account | None) -> bool:
    return account is not None and account.helper
