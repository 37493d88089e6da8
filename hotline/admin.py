"""The gazetteer and the column presets are edited here; jobs are read-only."""

from django.contrib import admin
from django.http import HttpRequest

from .models import ColumnPreset, GazetteerEntry, ImportJob


@admin.register(GazetteerEntry)
class GazetteerEntryAdmin(admin.ModelAdmin[GazetteerEntry]):
    list_display = ["name", "area", "street"]
    list_filter = ["street"]
    search_fields = ["name", "area__name", "area__code"]
    autocomplete_fields = ["street", "area"]


@admin.register(ColumnPreset)
class ColumnPresetAdmin(admin.ModelAdmin[ColumnPreset]):
    list_display = ["name"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin[ImportJob]):
    list_display = ["filename", "street", "state", "total", "done", "created", "failed", "unplaced"]
    list_filter = ["state", "street"]
    exclude = ["content"]
    readonly_fields = [
        "street",
        "uploaded_by",
        "filename",
        "columns",
        "fallback_category",
        "state",
        "message",
        "total",
        "done",
        "created",
        "skipped",
        "failed",
        "unplaced",
        "submitted_at",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
