from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connections
from django.db.models import QuerySet

from peoplezones.core.models import AuditEvent


def database_is_reachable(*, alias: str = "default") -> bool:
    """Whether a real round trip to the database succeeds."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def audit_event_list(*, target=None, zone=None) -> QuerySet[AuditEvent]:
    """Audit events, newest first, optionally for one target or zone (staff use only)."""
    events = AuditEvent.objects.select_related("actor", "zone", "target_type")
    if target is not None:
        events = events.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
    if zone is not None:
        events = events.filter(zone=zone)
    return events
