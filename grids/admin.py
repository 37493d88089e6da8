"""Admin for the organisation tree, departments and memberships (writes go through services)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Area, Department, Membership, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    fields = readonly_fields = ("role", "area", "department", "part_time")
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "name", "phone", "email"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("GridCase"), {"fields": ["name", "phone"]}),
    ]
    inlines = [MembershipInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin[Area]):
    """Tree-aware list: ordered by materialized path, names indented by depth."""

    list_display = ["tree_name", "code", "level", "responsible", "has_boundary"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    ordering = ["path"]
    autocomplete_fields = ["parent", "responsible"]
    readonly_fields = ["path"]
    list_per_page = 200

    class Media:
        css = {"all": ["grids/admin.css"]}  # the indents: classes, not style= (CSP)

    @admin.display(description=_("name"), ordering="path")
    def tree_name(self, area: Area) -> SafeString:
        return format_html(
            '<span class="tree-depth tree-depth-{}">{}{}</span>',
            min(area.depth, 6),
            "└ " if area.depth else "",
            area.name,
        )

    @admin.display(description=_("boundary"), boolean=True)
    def has_boundary(self, area: Area) -> bool:
        return area.boundary is not None


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "code", "kind", "phone"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    filter_horizontal = ["streets"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    """Adding or deleting a membership grants or revokes its permissions in one transaction."""

    list_display = ["user", "role", "area", "department", "part_time", "created_at"]
    list_filter = ["role", "part_time"]
    search_fields = ["user__username", "user__name", "area__name", "department__name"]
    autocomplete_fields = ["user", "area", "department"]
    list_select_related = ["user", "area", "department"]

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        # A membership's holder, role and unit are fixed; to change them, remove and add.
        return ["user", "role", "area", "department"] if obj else []

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm[Membership], change: bool
    ) -> None:
        saved = services.membership_add(
            user=obj.user,
            role=obj.role,
            area=obj.area,
            department=obj.department,
            part_time=obj.part_time,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_remove(membership=obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user", "area", "department"):
            services.membership_remove(membership=membership)
