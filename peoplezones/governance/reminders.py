"""Reminders to action owners: one when an action is due soon, one when it becomes overdue.

Runs as background work (`governance.tasks.remind_action_owners`), started daily by
`manage.py remind_action_owners` from cron or a scheduler. Each reminder is sent once: the
action's `reminded_due_on` / `reminded_overdue_on` record the day it went, and `action_update`
clears both when the due date changes, so a new date earns new reminders.
"""

import datetime
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peoplezones.core.services import audit_record, email_after_commit
from peoplezones.governance.models import Action
from peoplezones.governance.selectors import CLOSED, today

Kind = Literal["due", "overdue"]

# Actions overdue for longer than this were overdue before reminders began (or their owner was
# told already): going live must not flood owners with reminders about last year's actions.
OVERDUE_WINDOW_DAYS = 7

HAS_OWNER_EMAIL = (
    Q(owner_member__isnull=False, owner_member__left__isnull=True)
    & (~Q(owner_member__email="") | Q(owner_member__user__is_active=True))
) | Q(owner_member__isnull=True, owner_user__is_active=True)


def reminder_days() -> int:
    """How many days before the due date the first reminder goes (`ACTION_REMINDER_DAYS`)."""
    return int(getattr(settings, "ACTION_REMINDER_DAYS", 3))


def owner_email(action: Action) -> str:
    """Where the owner's reminders go: the member's email, else their account's; never a
    former member's. An organisation named in words has no address, so gets none."""
    member = action.owner_member
    if member is not None:
        if member.left is not None:
            return ""
        if member.email:
            return member.email
        if member.user is not None and member.user.is_active:
            return member.user.email or ""
        return ""
    if action.owner_user is not None and action.owner_user.is_active:
        return action.owner_user.email or ""
    return ""


def _open_with_owner() -> QuerySet[Action]:
    return (
        Action.objects.exclude(status__in=CLOSED)
        .filter(due__isnull=False)
        .filter(HAS_OWNER_EMAIL)
        .select_related("group__zone", "owner_member__user", "owner_user")
    )


def actions_due_soon(*, on: datetime.date | None = None) -> QuerySet[Action]:
    """Open actions due from `on` (London today) to `ACTION_REMINDER_DAYS` later, not yet
    reminded, whose owner has an email."""
    on = on or today()
    return _open_with_owner().filter(
        due__gte=on,
        due__lte=on + datetime.timedelta(days=reminder_days()),
        reminded_due_on__isnull=True,
    )


def actions_newly_overdue(*, on: datetime.date | None = None) -> QuerySet[Action]:
    """Open actions whose due date passed in the last week, not yet reminded, whose owner has
    an email. An action due today is overdue from midnight London time tomorrow."""
    on = on or today()
    return _open_with_owner().filter(
        due__lt=on,
        due__gte=on - datetime.timedelta(days=OVERDUE_WINDOW_DAYS),
        reminded_overdue_on__isnull=True,
    )


def reminders_due(*, on: datetime.date | None = None) -> list[tuple[Action, Kind]]:
    """Every reminder to send on `on`, overdue ones first."""
    on = on or today()
    return [(action, "overdue") for action in actions_newly_overdue(on=on)] + [
        (action, "due") for action in actions_due_soon(on=on)
    ]


def _message(action: Action, kind: Kind) -> tuple[str, str]:
    """Subject and body: the action's reference, description, due date and link; nobody else's
    name or details, as the email may be forwarded."""
    link = settings.SITE_URL + reverse("governance:action-detail", kwargs={"pk": action.pk})
    values = {
        "reference": action.reference,
        "description": action.description,
        "due": date_format(action.due, "j F Y"),
        "link": link,
    }
    if kind == "overdue":
        subject = _("Action %(reference)s is overdue (due %(due)s)") % values
        opening = _("An action you own on the steering group's action log is overdue.")
    else:
        subject = _("Action %(reference)s is due on %(due)s") % values
        opening = _("An action you own on the steering group's action log is due soon.")
    body = (
        opening
        + "\n\n"
        + _(
            "%(reference)s: %(description)s\nDue: %(due)s\n\n"
            "Add an update, change the due date or close it here:\n%(link)s"
        )
        % values
    )
    return subject, body


@transaction.atomic
def action_remind(*, action: Action, kind: Kind, on: datetime.date | None = None) -> bool:
    """Email the owner one reminder of `kind`; returns False if it was sent already or is no
    longer due. The action row is locked, so two workers running at once send it once."""
    on = on or today()
    due_list = actions_newly_overdue(on=on) if kind == "overdue" else actions_due_soon(on=on)
    action = due_list.select_for_update(of=("self",)).filter(pk=action.pk).first()
    if action is None:
        return False
    to = owner_email(action)
    if not to:
        return False
    field = "reminded_overdue_on" if kind == "overdue" else "reminded_due_on"
    setattr(action, field, on)
    action.save(update_fields=[field, "modified"])
    subject, body = _message(action, kind)
    email_after_commit(to=to, subject=subject, body=body)
    audit_record(
        actor=None,
        verb=f"action.remind.{kind}",
        target=action,
        zone=action.group.zone,
        data={"ref": action.reference, "due": action.due.isoformat()},
    )
    return True


def remind_all(*, on: datetime.date | None = None) -> dict[str, int]:
    """Send every reminder due on `on`; returns how many of each kind went."""
    on = on or today()
    sent = {"due": 0, "overdue": 0}
    for action, kind in reminders_due(on=on):
        if action_remind(action=action, kind=kind, on=on):
            sent[kind] += 1
    return sent


def reminder_counts(*, on: datetime.date | None = None) -> dict[str, Any]:
    """How many reminders would go on `on`, without sending any (for `--dry-run`)."""
    on = on or today()
    return {
        "due": actions_due_soon(on=on).count(),
        "overdue": actions_newly_overdue(on=on).count(),
    }
