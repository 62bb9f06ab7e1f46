from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
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


def email_after_commit(*, to: str, subject: str, body: str) -> None:
    """Send an email once the current transaction commits: a rolled-back change sends nothing.

    A failing mail server must not undo the change the email is about, so errors are not raised.
    """
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=True)
    )
