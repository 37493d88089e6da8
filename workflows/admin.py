"""Admin for the taxonomy and the time limits (editable), and read-only views of cases and
their event log: a case changes only through `workflows.services`, the log is append-only."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .models import (
    Case,
    CaseDispatch,
    CaseEvent,
    Category,
    ReplyTemplate,
    ReportSettings,
    Responsibility,
    TimeLimitPolicy,
)


class ReadOnlyMixin:
    """View only: no add, change or delete, whoever asks."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = [
        "name",
        "code",
        "default_department_kind",
        "default_priority",
        "sort_order",
        "active",
    ]
    list_editable = ["sort_order", "active"]
    list_filter = ["active", "default_department_kind", "default_priority"]
    search_fields = ["code", "name"]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin[TimeLimitPolicy]):
    list_display = ["priority", "level", "category_or_all", "respond_minutes", "resolve_minutes"]
    list_editable = ["respond_minutes", "resolve_minutes"]
    list_filter = ["priority", "level", "category"]
    list_select_related = ["category"]
    ordering = ["priority", "level", "category__sort_order"]

    @admin.display(description=_("category"), ordering="category__sort_order")
    def category_or_all(self, policy: TimeLimitPolicy) -> StrOrPromise:
        return str(policy.category) if policy.category_id else _("(every category)")


class CaseDispatchInline(ReadOnlyMixin, admin.TabularInline[CaseDispatch, Case]):
    model = CaseDispatch
    extra = 0
    fields = readonly_fields = (
        "department",
        "lead",
        "active",
        "dispatched_at",
        "claim_due",
        "claimed_by",
        "claimed_at",
        "returned_at",
        "resolved_at",
        "claim_overdue",
        "response_rating",
    )


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin[Case]):
    list_display = [
        "number",
        "title",
        "category",
        "area",
        "status",
        "level",
        "priority",
        "overdue",
        "reported_at",
    ]
    list_filter = ["status", "level", "priority", "overdue", "category"]
    search_fields = ["number", "title"]
    list_select_related = ["category", "area"]
    date_hierarchy = "reported_at"
    inlines = [CaseDispatchInline]
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin[CaseEvent]):
    list_display = [
        "pk",
        "case",
        "kind",
        "actor",
        "from_status",
        "to_status",
        "level",
        "created_at",
    ]
    list_filter = ["kind", "level"]
    search_fields = ["case__number"]
    list_select_related = ["case", "actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin[ReportSettings]):
    """The 考核 report's weights and minimum base, per street."""

    list_display = [
        "street",
        "response_weight",
        "resolution_weight",
        "satisfaction_weight",
        "min_base",
    ]


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin[Responsibility]):
    """权责清单: per street, which departments handle a category, in order (suggested first
    at dispatch)."""

    list_display = ["street", "category", "department", "position"]
    list_filter = ["street", "category"]
    list_editable = ["position"]
    ordering = ["street", "category", "position"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin[ReplyTemplate]):
    """常用回复: each department's ready texts for results and returns (its head keeps them
    on /w/department/replies/ too)."""

    list_display = ["department", "kind", "title", "order"]
    list_filter = ["department", "kind"]
    list_editable = ["order"]
    search_fields = ["title", "text"]
