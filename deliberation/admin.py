"""Admin: compounds (code, name, area, co-sign threshold) and their committee and party
branch are editable; the register is kept by CSV import (the register page); proposals,
their audit log and meetings are read-only here: they change only through the services."""

from django.contrib import admin

from workflows.admin import ReadOnlyMixin

from .models import Compound, CompoundRole, Meeting, Proposal, ProposalEvent


class CompoundRoleInline(admin.TabularInline[CompoundRole, Compound]):
    model = CompoundRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin[Compound]):
    list_display = ["name", "code", "area", "cosign_threshold"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["area"]
    inlines = [CompoundRoleInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyMixin, admin.ModelAdmin[Proposal]):
    list_display = ["title", "compound", "matter", "status", "created_at", "decided_at"]
    list_filter = ["status", "matter"]
    search_fields = ["title"]


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyMixin, admin.ModelAdmin[ProposalEvent]):
    list_display = ["created_at", "proposal", "kind", "actor"]
    list_filter = ["kind"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin[Meeting]):
    list_display = ["held_on", "community", "recorded_by"]
