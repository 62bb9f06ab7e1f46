from django.contrib import admin

from peoplezones.insight.models import Crime, ImportRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Imported data changes only by importing again, so staff may look but not edit."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Crime)
class CrimeAdmin(ReadOnlyAdmin):
    list_display = ["month", "crime_type", "location", "lsoa_name", "zone", "last_outcome"]
    list_filter = ["month", "crime_type", "zone", "is_demo"]
    search_fields = ["crime_id", "location", "lsoa_code", "lsoa_name"]
    list_select_related = ["zone"]
    date_hierarchy = "month"


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = [
        "file_name",
        "started",
        "rows_read",
        "rows_stored",
        "rows_present",
        "rows_without_location",
        "rows_skipped",
    ]
    list_filter = ["is_demo"]
    search_fields = ["file_name"]
