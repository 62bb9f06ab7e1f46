from django.contrib import admin

from peoplezones.insight.models import (
    CrimeBatch,
    CrimeTypeWeight,
    HotspotRun,
    ImportRun,
    ReferenceArea,
)
from peoplezones.insight.services.weights import harm_weight_set


class ReadOnlyAdmin(admin.ModelAdmin):
    """Imported data changes only by importing again, so staff may look but not edit."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CrimeBatch)
class CrimeBatchAdmin(ReadOnlyAdmin):
    """A force's month of police.uk crime: how many crimes, not the crimes themselves (the
    staff crime pages and the hotspot, impact and targeting tools read those)."""

    list_display = ["month", "falls_within", "rows", "located", "import_run", "modified"]
    list_filter = ["falls_within", "is_demo"]
    date_hierarchy = "month"
    exclude = ["data"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = [
        "file_name",
        "kind",
        "started",
        "rows_read",
        "rows_stored",
        "rows_updated",
        "rows_present",
        "rows_without_location",
        "rows_skipped",
    ]
    list_filter = ["kind", "is_demo"]
    search_fields = ["file_name"]


@admin.register(ReferenceArea)
class ReferenceAreaAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "lad_code", "imd_rank", "imd_decile", "has_boundary"]
    list_filter = ["kind", "imd_decile", "is_demo"]
    search_fields = ["code", "name", "lad_code"]
    exclude = ["geometry"]

    def get_queryset(self, request):
        # `exclude` hides the boundary from the form; this keeps it out of the list's query.
        return super().get_queryset(request).defer("geometry")

    @admin.display(boolean=True, description="boundary")
    def has_boundary(self, obj: ReferenceArea) -> bool:
        return obj.min_lon is not None


@admin.register(CrimeTypeWeight)
class CrimeTypeWeightAdmin(admin.ModelAdmin):
    """The harm weights are the platform's own assumption, so staff may change them here."""

    list_display = ["crime_type", "weight", "note"]
    list_editable = ["weight"]
    search_fields = ["crime_type"]

    def get_readonly_fields(self, request, obj=None):
        # A weight belongs to its type: renaming one would silently re-weigh another type.
        return ["crime_type"] if obj is not None else []

    def save_model(self, request, obj, form, change) -> None:
        # Through the service, so that every change leaves an audit event.
        saved = harm_weight_set(
            crime_type=obj.crime_type, weight=obj.weight, note=obj.note, actor=request.user
        )
        obj.pk = saved.pk


@admin.register(HotspotRun)
class HotspotRunAdmin(ReadOnlyAdmin):
    list_display = [
        "created",
        "area_label",
        "month_from",
        "month_to",
        "cell_size",
        "band",
        "weighting",
        "cells",
        "crimes",
        "hot_cells",
        "cold_cells",
        "created_by",
    ]
    list_filter = ["weighting", "zone"]
    list_select_related = ["zone", "created_by"]
    exclude = ["results"]

    def get_queryset(self, request):
        # A run's per-cell results can be megabytes: never loaded for the list.
        return super().get_queryset(request).defer("results")
