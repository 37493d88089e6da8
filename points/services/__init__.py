"""Every write of the points app. Each public service is one transaction that locks what it
changes and checks who may do it (`points.permissions`); balances move only in `ledger._post`."""

from .awards import (
    activity_attendance_mark,
    activity_checkin,
    activity_publish,
    activity_signup,
    case_award,
)
from .helping import (
    help_request_cancel,
    help_request_claim,
    help_request_confirm,
    help_request_done,
    help_request_post,
    help_requests_escalate,
)
from .ledger import (
    account_for_phone,
    account_for_user,
    account_kind_set,
    balance_of,
    entry_reverse,
    points_award,
    points_expire,
)
from .rules import rule_save
from .shop import (
    goods_add,
    goods_receive,
    redeem_at_counter,
    redeem_online,
    redemption_cancel,
    redemption_hand_over,
    shop_open,
)

__all__ = [
    "account_for_phone",
    "account_for_user",
    "account_kind_set",
    "activity_attendance_mark",
    "activity_checkin",
    "activity_publish",
    "activity_signup",
    "balance_of",
    "case_award",
    "entry_reverse",
    "goods_add",
    "goods_receive",
    "help_request_cancel",
    "help_request_claim",
    "help_request_confirm",
    "help_request_done",
    "help_request_post",
    "help_requests_escalate",
    "points_award",
    "points_expire",
    "redeem_at_counter",
    "redeem_online",
    "redemption_cancel",
    "redemption_hand_over",
    "rule_save",
    "shop_open",
]
