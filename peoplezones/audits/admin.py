from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.audits.models import (
    Audit,
    Body,
    Issue,
    IssueCategory,
    IssuePhoto,
    IssueUpdate,
    Referral,
)
from peoplezones.core.services import audit_record


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    """Councils and agencies. The Open311 key is a secret: it is never shown in lists."""

    list_display = ["name", "contact_email", "open311_endpoint"]
    search_fields = ["name"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    filter_horizontal = ["zones"]


@admin.register(IssueCategory)
class IssueCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group", "icon", "service_code", "default_body", "active"]
    list_filter = ["active", "group"]
    search_fields = ["name", "code"]
    list_select_related = ["default_body"]


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["name", "zone", "kind", "starts", "ends", "status"]
    list_filter = ["status", "kind", "zone"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["categories"]


class IssuePhotoInline(admin.TabularInline):
    model = IssuePhoto
    extra = 0
    fields = ["image", "alt_text", "public", "width", "height"]
    readonly_fields = ["image", "width", "height"]

    def has_add_permission(self, request, obj=None) -> bool:
        # Photos arrive through the services, which strip their metadata.
        return False


class IssueUpdateInline(admin.TabularInline):
    model = IssueUpdate
    extra = 0
    fields = ["created", "state_from", "state_to", "text", "public", "author", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    """Corrections by staff (the place, the category, the answers). The state moves only through
    the staff pages, so that every move is on the timeline."""

    list_display = ["__str__", "zone", "audit", "state", "created"]
    list_filter = ["state", "category", "zone", "audit", "source"]
    search_fields = ["description"]
    list_select_related = ["category", "zone", "audit"]
    readonly_fields = [
        "state",
        "term",
        "confirmed_at",
        "referred_at",
        "fixed_at",
        "closed_at",
        "support_count",
        "original_description",
        "source",
        "created_by",
    ]
    raw_id_fields = ["duplicate_of"]
    inlines = [IssuePhotoInline, IssueUpdateInline]
    fieldsets = (
        (None, {"fields": ("category", "audit", "zone", "description", "attributes")}),
        (_("Place"), {"fields": ("latitude", "longitude", "accuracy_m")}),
        (
            _("Reporter (private)"),
            {"fields": ("reporter_name", "reporter_email", "reporter_phone", "show_name")},
        ),
        (
            _("Progress"),
            {
                "fields": (
                    "state",
                    "term",
                    "duplicate_of",
                    "support_count",
                    "confirmed_at",
                    "referred_at",
                    "fixed_at",
                    "closed_at",
                    "original_description",
                    "source",
                    "created_by",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            verb="issue.edit",
            target=obj,
            zone=obj.zone,
            data={"changed": form.changed_data, "via": "admin"},
        )


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["__str__", "body", "method", "sent_at", "planned_term"]
    list_filter = ["method", "body"]
    list_select_related = ["body"]
    readonly_fields = ["update_token", "sent_at", "external_id", "created_by"]
    filter_horizontal = ["issues"]
