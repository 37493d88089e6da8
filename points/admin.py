"""Admin: the ledger and redemptions read-only (they change only through the services and
the points desk); accounts, rules, shops and goods to look at."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Account, Activity, EarningRule, Entry, Goods, HelpRequest, Redemption, Shop


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ["pk", "created_at", "account", "kind", "points", "note", "actor"]
    list_filter = ["kind", "account__community"]
    search_fields = ["account__phone", "account__code", "account__user__username", "note"]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnly):
    list_display = ["pk", "created_at", "account", "goods", "quantity", "points", "status"]
    list_filter = ["status", "channel"]


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ["pk", "community", "user", "phone", "name", "kind", "balance"]
    list_filter = ["kind", "community"]
    search_fields = ["phone", "code", "user__username", "name"]


@admin.register(EarningRule, Shop, Goods, Activity, HelpRequest)
class PointsAdmin(ReadOnly):
    pass
