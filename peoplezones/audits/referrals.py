"""Referring issues to the body that fixes them (by email, CSV or Open311), and what it says back.

Every write here goes through `issue_transition` for the issue's state, so the declared workflow
stays the only place that decides which moves exist. Reporter contact details never leave: not in
the CSV, not in the email, not in the Open311 request.
"""

import csv
import http.client
import io
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from peoplezones.audits.models import Body, Issue, Referral
from peoplezones.audits.permissions import can_manage_issues
from peoplezones.audits.services import issue_add_note, issue_transition
from peoplezones.audits.workflow import OPEN_STATES, TRANSITIONS
from peoplezones.core import geo
from peoplezones.core.csvsafe import csv_safe
from peoplezones.core.services import audit_record

logger = logging.getLogger(__name__)

COUNCIL_COLUMNS = [
    "id",
    "category",
    "created",
    "confirmed",
    "referred",
    "fixed",
    "closed",
    "state",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "zone",
    "link",
]
# The moves a body may make on the issues referred to it (the workflow allows it as actor).
BODY_ACTIONS = ("investigate", "schedule", "start", "fix", "unable", "not_responsible")
OPEN311_TIMEOUT_SECONDS = 15
# A GeoReport answer is a few hundred bytes; anything far larger is not one.
OPEN311_MAX_ANSWER_BYTES = 1_000_000


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def issue_link(issue: Issue) -> str:
    """The public page of an issue, as an absolute address a council can open."""
    return settings.SITE_URL + issue.get_absolute_url()


def issue_grid(issue: Issue) -> tuple[int, int] | None:
    """The issue's British National Grid easting and northing in whole metres, if it has one."""
    try:
        easting, northing = geo.to_bng(lat=issue.latitude, lon=issue.longitude)
    except geo.GeoError:
        return None
    return round(easting), round(northing)


def referral_csv(*, issues: Iterable[Issue]) -> str:
    """The issues as the CSV a council expects: public facts only, never reporter details.

    Text cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
    """
    if hasattr(issues, "select_related"):
        issues = issues.select_related("category", "zone")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COUNCIL_COLUMNS)
    for issue in issues:
        grid = issue_grid(issue)
        row = [
            issue.pk,
            issue.category.name,
            _when(issue.created),
            _when(issue.confirmed_at),
            _when(issue.referred_at),
            _when(issue.fixed_at),
            _when(issue.closed_at),
            issue.state,
            issue.latitude,
            issue.longitude,
            grid[0] if grid else "",
            grid[1] if grid else "",
            issue.zone.name if issue.zone_id and issue.zone else "",
            issue_link(issue),
        ]
        writer.writerow([csv_safe(value) for value in row])
    return out.getvalue()


def body_update_link(referral: Referral) -> str:
    """The signed address where the body updates its issues without an account."""
    return settings.SITE_URL + reverse(
        "audits:body-update", kwargs={"token": referral.update_token}
    )


def _check_referable(*, issues: list[Issue], body: Body, method: str, actor: Any) -> None:
    if method not in Referral.Method.values:
        raise ValidationError(
            {"method": _("Choose how to send the issues: email, CSV or Open311.")}
        )
    if not issues:
        raise ValidationError({"issues": _("Choose at least one issue to refer.")})
    for issue in issues:
        if not can_manage_issues(actor, issue):
            raise PermissionDenied(_("You cannot refer issue %(id)s.") % {"id": issue.pk})
    closed = [str(issue.pk) for issue in issues if issue.state not in OPEN_STATES]
    if closed:
        raise ValidationError(
            {
                "issues": _(
                    "Only open issues can be referred; these are not open: %(ids)s. "
                    "Confirm or reopen them first."
                )
                % {"ids": ", ".join(closed)}
            }
        )
    if method == Referral.Method.EMAIL and not body.contact_email:
        raise ValidationError(
            {
                "body": _("%(body)s has no contact email. Add one, or choose another method.")
                % {"body": body.name}
            }
        )
    if method == Referral.Method.OPEN311 and not body.open311_endpoint:
        raise ValidationError(
            {
                "body": _("%(body)s has no Open311 address. Add one, or choose another method.")
                % {"body": body.name}
            }
        )


def _open311_error(issue: Issue, reason: str, sent: dict[int, str]) -> ValidationError:
    message = _("The council's Open311 server did not accept issue %(id)s: %(reason)s.") % {
        "id": issue.pk,
        "reason": reason,
    }
    if sent:
        # Those requests reached the council before the failure; say so, to avoid duplicates.
        message += " " + _(
            "Nothing was recorded here, but the council already received: %(sent)s."
        ) % {"sent": ", ".join(f"#{pk} → {ref}" for pk, ref in sent.items())}
    else:
        message += " " + _("Nothing was sent or changed. Try again later or choose another method.")
    return ValidationError(message)


def _open311_payload(issue: Issue, body: Body) -> bytes:
    fields = {
        "api_key": body.open311_api_key,
        "service_code": issue.category.service_code,
        "lat": repr(issue.latitude),
        "long": repr(issue.longitude),
        "description": f"{issue.description}\n\n{issue_link(issue)}".strip(),
    }
    if body.open311_jurisdiction:
        fields["jurisdiction_id"] = body.open311_jurisdiction
    for code, value in sorted((issue.attributes or {}).items()):
        fields[f"attribute[{code}]"] = str(value)
    return urllib.parse.urlencode(fields).encode()


def _open311_answer_error(raw: bytes) -> str:
    try:
        answer = json.loads(raw)
        return str(answer[0]["description"])[:200]
    except (ValueError, LookupError, TypeError):
        return ""


def _open311_post(*, issue: Issue, body: Body, sent: dict[int, str]) -> str:
    """POST one issue as a GeoReport v2 service request; returns the body's reference."""
    url = body.open311_endpoint.rstrip("/") + "/requests.json"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise _open311_error(issue, _("its address must start with http:// or https://"), sent)
    request = urllib.request.Request(  # noqa: S310 (scheme checked just above)
        url,
        data=_open311_payload(issue, body),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=OPEN311_TIMEOUT_SECONDS) as answer:  # noqa: S310
            raw = answer.read(OPEN311_MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        detail = _open311_answer_error(error.read(OPEN311_MAX_ANSWER_BYTES))
        reason = _("it answered with HTTP status %(status)s") % {"status": error.code}
        raise _open311_error(issue, f"{reason} {detail}".strip(), sent) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = _("it could not be reached (%(error)s)") % {
            "error": getattr(error, "reason", None) or error.__class__.__name__
        }
        raise _open311_error(issue, reason, sent) from None
    try:
        answer_data = json.loads(raw)
        first = answer_data[0] if isinstance(answer_data, list) else answer_data
        # GeoReport v2 gives a service_request_id, or a token when the id comes later.
        reference = str(first.get("service_request_id") or first.get("token") or "").strip()
    except (ValueError, LookupError, TypeError, AttributeError):
        reference = ""
    if not reference:
        raise _open311_error(issue, _("its answer was not a GeoReport v2 service request"), sent)
    return reference


def _send_email(referral_pk: int, to: str, subject: str, text: str, attachment: str) -> None:
    message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach(f"referral-{referral_pk}.csv", attachment, "text/csv")
    try:
        message.send()
    except Exception:
        # The referral is already saved; leave a trace staff can see rather than a lost email.
        logger.exception("Referral %s: the email to the body could not be sent", referral_pk)
        referral = Referral.objects.filter(pk=referral_pk).first()
        audit_record(actor=None, verb="referral.email_failed", target=referral)


@transaction.atomic
def referral_create(*, issues: Iterable[Issue], body: Body, method: str, actor: Any) -> Referral:
    """Refer issues to a body: each open one moves to "referred", and the body hears of them.

    Email is sent once the transaction commits; for CSV the caller hands out `referral_csv`;
    for Open311 every issue is posted before anything is written, so a failure raises a
    ValidationError and changes nothing here. Staff who manage every issue may call it.
    """
    issues = list(
        Issue.objects.filter(pk__in=[issue.pk for issue in issues])
        .select_related("category", "zone")
        .order_by("pk")
    )
    _check_referable(issues=issues, body=body, method=method, actor=actor)
    references: dict[int, str] = {}
    if method == Referral.Method.OPEN311:
        # The network comes first: nothing local is written until the body accepted them all.
        for issue in issues:
            references[issue.pk] = _open311_post(issue=issue, body=body, sent=references)
    now = timezone.now()
    external_id = ",".join(references.values())
    referral = Referral(
        body=body,
        method=method,
        sent_at=now,
        external_id=external_id if len(external_id) <= 100 else external_id[:99] + "…",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    referral.full_clean()
    referral.save()
    referral.issues.set(issues)
    refer = TRANSITIONS["refer"]
    for issue in issues:
        reference = references.get(issue.pk)
        text = _("Referred to %(body)s.") % {"body": body.name}
        if issue.state in refer.sources:
            issue_transition(issue=issue, actor=actor, action="refer", text=text)
        else:
            issue_add_note(issue=issue, actor=actor, text=text, public=False)
        if reference:
            issue_add_note(
                issue=issue,
                actor=actor,
                text=_("%(body)s's reference: %(ref)s.") % {"body": body.name, "ref": reference},
                public=False,
            )
    audit_record(
        actor=actor,
        verb="referral.create",
        target=referral,
        zone=issues[0].zone if len({issue.zone_id for issue in issues}) == 1 else None,
        data={
            "body": body.name,
            "method": method,
            "issues": [issue.pk for issue in issues],
            "references": {str(pk): ref for pk, ref in references.items()},
        },
    )
    if method == Referral.Method.EMAIL:
        attachment = referral_csv(issues=issues)
        subject = _("%(count)d issues referred to %(body)s (referral %(id)s)") % {
            "count": len(issues),
            "body": body.name,
            "id": referral.pk,
        }
        lines = [f"#{issue.pk} {issue.category.name}: {issue_link(issue)}" for issue in issues]
        text = (
            _("These issues were reported by residents and checked by our team:")
            + "\n\n"
            + "\n".join(lines)
            + "\n\n"
            + _("The attached CSV file lists them. Tell us what you will do, issue by issue:")
            + "\n"
            + body_update_link(referral)
        )
        to, pk = body.contact_email, referral.pk
        transaction.on_commit(lambda: _send_email(pk, to, subject, text, attachment))
    return referral


@transaction.atomic
def referral_record_response(
    *,
    referral: Referral,
    actor: Any,
    response: str,
    state_action: str | None = None,
    term: str = "",
) -> Referral:
    """Record what the body said (kept as an internal note on each issue) and, if asked, make
    the move it announced on each issue that can make it (e.g. schedule, short term).

    Staff who manage every issue of the referral may call it.
    """
    referral = Referral.objects.select_for_update().select_related("body").get(pk=referral.pk)
    issues = list(referral.issues.select_related("category", "zone").order_by("pk"))
    for issue in issues:
        if not can_manage_issues(actor, issue):
            raise PermissionDenied(_("You cannot update issue %(id)s.") % {"id": issue.pk})
    response = response.strip()
    state_action = state_action or None
    if not response and state_action is None:
        raise ValidationError({"response": _("Write what the body said, or choose a move.")})
    if state_action is not None and state_action not in BODY_ACTIONS:
        raise ValidationError({"state_action": _("Choose one of the moves listed.")})
    if term and term not in Issue.Term.values:
        raise ValidationError({"term": _("Choose short, medium or long term.")})
    if state_action == "schedule" and not term:
        raise ValidationError({"term": _("Say whether the fix is short, medium or long term.")})
    moved, skipped = [], []
    if state_action is not None:
        transition = TRANSITIONS[state_action]
        for issue in issues:
            if issue.state in transition.sources:
                issue_transition(issue=issue, actor=actor, action=state_action, term=term)
                moved.append(issue.pk)
            else:
                skipped.append(issue.pk)
        if not moved:
            raise ValidationError(
                {
                    "state_action": _("None of the issues can make that move now.")
                    if issues
                    else _("This referral has no issues.")
                }
            )
    if response:
        note = _("Response from %(body)s: %(text)s") % {
            "body": referral.body.name,
            "text": response,
        }
        for issue in issues:
            issue_add_note(issue=issue, actor=actor, text=note, public=False)
        referral.response = response
    if referral.acknowledged_at is None:
        referral.acknowledged_at = timezone.now()
    if term:
        referral.planned_term = term
    referral.full_clean()
    referral.save(update_fields=["response", "acknowledged_at", "planned_term", "modified"])
    audit_record(
        actor=actor,
        verb="referral.response",
        target=referral,
        data={"action": state_action or "", "term": term, "moved": moved, "skipped": skipped},
    )
    return referral


@transaction.atomic
def referral_body_update(
    *, referral: Referral, token: str, issue: Issue, action: str, text: str, term: str = ""
) -> Issue:
    """The body, through its signed link and without an account, moves one of its issues.

    The token is compared in constant time; the body acts as itself (the workflow lets a Body
    investigate, schedule, start, fix or close its issues) and its note is public.
    """
    if not constant_time_compare(token, referral.update_token):
        raise PermissionDenied(_("This link is not right. Check you copied all of it."))
    if not referral.issues.filter(pk=issue.pk).exists():
        raise PermissionDenied(_("This issue was not referred to you."))
    if action not in BODY_ACTIONS:
        raise ValidationError({"action": _("Choose what is happening to the issue.")})
    issue = issue_transition(
        issue=issue, actor=referral.body, action=action, text=text, public=True, term=term
    )
    fields = ["modified"]
    if referral.acknowledged_at is None:
        referral.acknowledged_at = timezone.now()
        fields.append("acknowledged_at")
    if action == "schedule":
        referral.planned_term = term
        fields.append("planned_term")
    referral.save(update_fields=fields)
    audit_record(
        actor=None,
        verb="referral.body_update",
        target=referral,
        zone=issue.zone,
        data={"body": referral.body.name, "issue": issue.pk, "action": action, "term": term},
    )
    return issue
