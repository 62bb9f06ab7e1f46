from django.contrib import admin

from peoplezones.payback.models import (
    HoursEntry,
    MaterialsPurchase,
    PaybackProject,
    PaybackSession,
    PaybackSite,
    WalkNetwork,
    WelfareFacility,
)


@admin.register(WelfareFacility)
class WelfareFacilityAdmin(admin.ModelAdmin):
    list_display = ("name", "zone", "has_toilets", "has_water", "has_shelter", "always_open")
    list_filter = ("zone", "has_toilets", "has_water", "has_shelter")
    search_fields = ("name",)
    raw_id_fields = ("asset",)


class PaybackSessionInline(admin.TabularInline):
    model = PaybackSession
    extra = 1


@admin.register(PaybackSite)
class PaybackSiteAdmin(admin.ModelAdmin):
    list_display = ("name", "zone")
    list_filter = ("zone",)
    search_fields = ("name",)
    inlines = [PaybackSessionInline]


class HoursEntryInline(admin.TabularInline):
    model = HoursEntry
    extra = 0
    readonly_fields = ("created_by",)


@admin.register(PaybackProject)
class PaybackProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "site", "zone", "starts_on", "ends_on")
    list_filter = ("zone",)
    search_fields = ("title",)
    inlines = [HoursEntryInline]


@admin.register(MaterialsPurchase)
class MaterialsPurchaseAdmin(admin.ModelAdmin):
    """Read-only: materials are commitments on the budget, recorded from the planner."""

    list_display = ("commitment", "project")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WalkNetwork)
class WalkNetworkAdmin(admin.ModelAdmin):
    """Read-only: networks come from `manage.py import_walk_network`; delete one to go back
    to straight-line distances."""

    list_display = ("name", "node_count", "edge_count", "length_m", "created")
    exclude = ("graph",)

    def get_queryset(self, request):
        # The graph is megabytes of binary that no admin page shows.
        return super().get_queryset(request).defer("graph")

    readonly_fields = (
        "name",
        "source_sha256",
        "node_count",
        "edge_count",
        "length_m",
        "min_lat",
        "min_lon",
        "max_lat",
        "max_lon",
        "summary",
        "imported_by",
    )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
