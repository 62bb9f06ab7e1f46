from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from peoplezones.core.models import AuditEvent


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    zone: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `verb` to `target`; called by every service that writes.

    `actor` may be None (or an anonymous user) for the system or a member of the public.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        actor=actor,
        verb=verb,
        zone=zone,
        data=data or {},
    )
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target)
        event.target_id = str(target.pk)
        event.target_repr = str(target)[:200]
    event.full_clean()
    event.save()
    return event
