import json

from django import forms
from django.contrib import admin
from django.db import models

from peoplezones.core import geo
from peoplezones.zones.models import ResearchReport, Theme, Zone
from peoplezones.zones.services import zone_save


class ZoneAdminForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = [
            "name",
            "slug",
            "local_authority",
            "description",
            "established",
            "status",
            "boundary",
        ]

    def clean_boundary(self):
        boundary = self.cleaned_data.get("boundary")
        if boundary in (None, "", {}):
            return None
        # The same validation as `manage.py import_zone_boundary`, with the same messages.
        return geo.validate_geometry(boundary)


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0
    fields = ["order", "title", "description"]


# Web addresses typed without a scheme are taken to be https (Django 6's default).
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class ResearchReportInline(admin.StackedInline):
    model = ResearchReport
    extra = 0
    formfield_overrides = URL_HTTPS


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    form = ZoneAdminForm
    list_display = ["name", "slug", "local_authority", "status", "established"]
    list_filter = ["status", "local_authority"]
    search_fields = ["name", "slug", "local_authority"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["bbox_display"]
    inlines = [ThemeInline, ResearchReportInline]

    @admin.display(description="Bounding box (min lon, min lat, max lon, max lat)")
    def bbox_display(self, obj: Zone) -> str:
        return json.dumps(obj.bbox) if obj.bbox else "–"

    def save_model(self, request, obj: Zone, form, change: bool) -> None:
        zone_save(zone=obj, actor=request.user, changed=form.changed_data)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["title", "zone", "order"]
    list_filter = ["zone"]
    search_fields = ["title"]
    list_select_related = ["zone"]


@admin.register(ResearchReport)
class ResearchReportAdmin(admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    list_display = ["title", "zone", "publisher", "published"]
    list_filter = ["zone", "publisher"]
    search_fields = ["title", "publisher"]
    list_select_related = ["zone"]
