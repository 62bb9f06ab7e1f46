from django.contrib import admin

from peoplezones.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Audit events are evidence: staff may read them, nobody may change them."""

    list_display = ["created", "actor", "verb", "target_repr", "zone"]
    list_filter = ["verb", "zone"]
    search_fields = ["verb", "target_repr"]
    date_hierarchy = "created"
    list_select_related = ["actor", "zone"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
