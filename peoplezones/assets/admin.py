from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.assets.models import Asset, AssetChange, AssetPhoto, Category, Event, Flag
from peoplezones.assets.services import asset_transition

URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "colour", "order"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["parent"]


class AssetPhotoInline(admin.TabularInline):
    model = AssetPhoto
    extra = 0
    fields = ["image", "alt_text", "width", "height"]
    readonly_fields = ["image", "width", "height"]
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        # Photos arrive through the services, which strip their metadata.
        return False


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    fields = ["reason", "details", "status", "resolution", "created"]
    readonly_fields = ["reason", "details", "created"]


def _transition_action(action: str, label):
    def run(modeladmin, request, queryset):
        done = 0
        for obj in queryset:
            try:
                asset_transition(asset=obj, actor=request.user, action=action)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                modeladmin.message_user(
                    request,
                    f"{obj}: {' '.join(error.messages) if hasattr(error, 'messages') else error}",
                    messages.WARNING,
                )
        modeladmin.message_user(request, _("%(count)d changed.") % {"count": done})

    run.short_description = label
    run.__name__ = f"do_{action}"
    return run


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    """Editing here is for staff corrections; publishing goes through the workflow actions."""

    list_display = ["name", "zone", "asset_class", "status", "sensitive", "source", "is_demo"]
    list_filter = [
        "status",
        "zone",
        "asset_class",
        "source",
        "sensitive",
        "do_not_display",
        "is_demo",
    ]
    search_fields = ["name", "description", "postcode"]
    filter_horizontal = ["categories"]
    list_select_related = ["zone"]
    readonly_fields = ["status", "zone", "uuid", "created", "modified"]
    inlines = [AssetPhotoInline, FlagInline]
    formfield_overrides = URL_HTTPS
    actions = [
        _transition_action("approve", _("Publish the selected pending assets")),
        _transition_action("archive", _("Archive the selected published assets")),
        _transition_action("restore", _("Publish the selected archived assets again")),
    ]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "zone", "start", "recurrence", "status", "is_demo"]
    list_filter = ["status", "zone", "recurrence", "is_demo"]
    search_fields = ["title", "description", "venue"]
    list_select_related = ["zone"]
    raw_id_fields = ["asset"]
    readonly_fields = ["status", "uuid"]
    formfield_overrides = URL_HTTPS
    actions = [_transition_action("approve", _("Publish the selected pending events"))]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["asset", "reason", "status", "created"]
    list_filter = ["status", "reason"]
    list_select_related = ["asset"]
    raw_id_fields = ["asset"]


@admin.register(AssetChange)
class AssetChangeAdmin(admin.ModelAdmin):
    list_display = ["asset", "status", "created"]
    list_filter = ["status"]
    list_select_related = ["asset"]
    raw_id_fields = ["asset", "suggested_by"]
    readonly_fields = ["changes"]
