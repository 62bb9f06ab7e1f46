"""Every write to safety audits and issues: reports, confirmation, moves, notes, referrals."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from peoplezones.audits.models import (
    Audit,
    Body,
    Issue,
    IssueCategory,
    IssuePhoto,
    IssueSubscription,
    IssueUpdate,
)
from peoplezones.audits.permissions import can_manage_issues
from peoplezones.audits.workflow import CLOSED_STATES, TRANSITIONS
from peoplezones.core import geo
from peoplezones.core.images import reencode_image
from peoplezones.core.services import audit_record, email_after_commit
from peoplezones.zones.selectors import zone_for_point


def _clean_attributes(category: IssueCategory, answers: dict[str, Any] | None) -> dict[str, Any]:
    """Check the answers to the category's extra questions (e.g. lamp column number)."""
    answers = answers or {}
    questions = {q["code"]: q for q in category.extra_attributes if "code" in q}
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError(
            {
                "attributes": _("Unknown question: %(codes)s.")
                % {"codes": ", ".join(sorted(unknown))}
            }
        )
    cleaned = {}
    for code, question in questions.items():
        value = str(answers.get(code, "") or "").strip()
        if not value:
            if question.get("required"):
                raise ValidationError(
                    {
                        "attributes": _("Answer “%(label)s”.")
                        % {"label": question.get("label", code)}
                    }
                )
            continue
        if question.get("type") == "choice" and value not in question.get("choices", []):
            raise ValidationError(
                {
                    "attributes": _("“%(value)s” is not one of the answers to “%(label)s”.")
                    % {"value": value, "label": question.get("label", code)}
                }
            )
        cleaned[code] = value[:200]
    return cleaned


def timeline_add(
    *,
    issue: Issue,
    actor: Any,
    text: str = "",
    public: bool = True,
    state_from: str = "",
    state_to: str = "",
) -> IssueUpdate:
    update = IssueUpdate(
        issue=issue,
        state_from=state_from,
        state_to=state_to,
        text=text.strip(),
        public=public,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        body=actor if isinstance(actor, Body) else None,
    )
    update.save()
    return update


def _audit_actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def issue_report(
    *,
    actor: Any,
    category: IssueCategory,
    latitude: float,
    longitude: float,
    description: str = "",
    accuracy_m: float | None = None,
    attributes: dict[str, Any] | None = None,
    photos: Iterable[Any] = (),
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    show_name: bool = False,
    audit: Audit | None = None,
    source: str = Issue.Source.WEB,
    trusted: bool = False,
    client_report_id: Any = None,
) -> Issue:
    """Record a problem. With an email from a member of the public it waits for confirmation
    by the emailed link (unconfirmed reports are not public); staff reports open at once, and
    so do `trusted` ones (a council system holding an API key), which keep their source.

    Photos are re-encoded without metadata. Nothing is saved if anything is wrong. A report
    sent again with the same `client_report_id` (a phone retrying its offline queue) returns the
    issue saved the first time.
    """
    if client_report_id is not None:
        already = Issue.objects.filter(client_report_id=client_report_id).first()
        if already is not None:
            return already
    if not category.active:
        raise ValidationError({"category": _("This kind of problem is not collected any more.")})
    try:
        latitude, longitude = geo.validate_point(lat=latitude, lon=longitude)
    except geo.GeoError as error:
        raise ValidationError({"latitude": error.messages}) from None
    if accuracy_m is not None and not 0 <= accuracy_m <= 100_000:
        raise ValidationError({"accuracy_m": _("The accuracy must be a distance in metres.")})
    staff = can_manage_issues(actor)
    needs_confirmation = bool(reporter_email.strip()) and not (staff or trusted)
    issue = Issue(
        category=category,
        audit=audit,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m,
        description=description.strip(),
        attributes=_clean_attributes(category, attributes),
        reporter_name=reporter_name.strip(),
        reporter_email=reporter_email.strip(),
        reporter_phone=reporter_phone.strip(),
        show_name=show_name and bool(reporter_name.strip()),
        state=Issue.State.UNCONFIRMED if needs_confirmation else Issue.State.OPEN,
        confirmed_at=None if needs_confirmation else timezone.now(),
        source=Issue.Source.STAFF if staff and not trusted else source,
        created_by=_audit_actor(actor),
        client_report_id=client_report_id,
    )
    issue.zone = audit.zone if audit is not None else zone_for_point(lat=latitude, lon=longitude)
    issue.full_clean()
    cleaned_photos = [reencode_image(photo) for photo in photos]
    issue.save()
    for content, width, height in cleaned_photos:
        photo = IssuePhoto(issue=issue, width=width, height=height)
        photo.image.save(content.name, content, save=False)
        photo.save()
    timeline_add(issue=issue, actor=actor, state_to=issue.state, public=False)
    audit_record(
        actor=_audit_actor(actor),
        verb="issue.report",
        target=issue,
        zone=issue.zone,
        data={"category": category.code, "state": issue.state, "source": issue.source},
    )
    if needs_confirmation:
        link = settings.SITE_URL + reverse(
            "audits:issue-confirm", kwargs={"pk": issue.pk, "token": issue.confirmation_token}
        )
        email_after_commit(
            to=issue.reporter_email,
            subject=_("Confirm your report"),
            body=_(
                "Thank you for reporting a problem (%(category)s). Open this link to confirm it "
                "and make it public:\n\n%(link)s\n\nIf you did not report it, ignore this email."
            )
            % {"category": category.name, "link": link},
        )
    return issue


@transaction.atomic
def issue_confirm(*, issue: Issue, token: str) -> Issue:
    """Confirm a report by its emailed link; a second click changes nothing."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not constant_time_compare(token, issue.confirmation_token):
        raise PermissionDenied(
            _("This confirmation link is not right. Check you copied all of it.")
        )
    if issue.state != Issue.State.UNCONFIRMED:
        return issue
    return issue_transition(issue=issue, actor="system", action="confirm")


@transaction.atomic
def issue_transition(
    *,
    issue: Issue,
    actor: Any,
    action: str,
    text: str = "",
    public: bool = True,
    term: str = "",
    duplicate_of: Issue | None = None,
) -> Issue:
    """Move an issue as the declared table allows for this actor; adds it to the timeline.

    Locks the row so that two people acting at once cannot both move it. Followers are
    emailed once the move is saved.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(
            _("Unknown action “%(action)s”. Choose one of: %(actions)s.")
            % {"action": action, "actions": ", ".join(TRANSITIONS)}
        )
    issue = Issue.objects.select_for_update().select_related("category").get(pk=issue.pk)
    if not transition.allowed(actor, issue):
        raise PermissionDenied(_("You cannot do that to this issue."))
    if issue.state not in transition.sources:
        raise ValidationError(
            _("An issue that is “%(state)s” cannot be moved that way.")
            % {"state": issue.get_state_display()}
        )
    if transition.needs_term and term not in Issue.Term.values:
        raise ValidationError({"term": _("Say whether the fix is short, medium or long term.")})
    if transition.needs_duplicate_of and (duplicate_of is None or duplicate_of.pk == issue.pk):
        raise ValidationError({"duplicate_of": _("Say which issue this one duplicates.")})
    before = issue.state
    now = timezone.now()
    issue.state = transition.target
    fields = ["state", "modified"]
    if transition.needs_term:
        issue.term = term
        fields.append("term")
    if transition.needs_duplicate_of:
        issue.duplicate_of = duplicate_of
        fields.append("duplicate_of")
    stamps = {
        "confirm": "confirmed_at",
        "refer": "referred_at",
    }
    if action in stamps and getattr(issue, stamps[action]) is None:
        setattr(issue, stamps[action], now)
        fields.append(stamps[action])
    if issue.state == Issue.State.FIXED:
        issue.fixed_at = now
        fields.append("fixed_at")
    if issue.state in CLOSED_STATES:
        issue.closed_at = now
        fields.append("closed_at")
    if action == "reopen":
        issue.fixed_at = issue.closed_at = None
        fields += ["fixed_at", "closed_at"]
    issue.save(update_fields=list(dict.fromkeys(fields)))
    timeline_add(
        issue=issue, actor=actor, text=text, public=public, state_from=before, state_to=issue.state
    )
    audit_record(
        actor=_audit_actor(actor),
        verb=f"issue.{action}",
        target=issue,
        zone=issue.zone,
        data={
            "from": before,
            "to": issue.state,
            "term": term,
            "body": str(actor) if isinstance(actor, Body) else "",
        },
    )
    if public and action != "confirm":
        _notify_followers(issue, _("Now: %(state)s.") % {"state": issue.get_state_display()}, text)
    return issue


def _notify_followers(issue: Issue, headline: str, text: str) -> None:
    emails = list(issue.subscriptions.filter(confirmed=True).values_list("email", "token"))
    for email, token in emails:
        unsubscribe = settings.SITE_URL + reverse("audits:unsubscribe", kwargs={"token": token})
        body = f"{headline}\n\n{text}\n\n{settings.SITE_URL}{issue.get_absolute_url()}\n\n" + _(
            "Stop these emails: %(link)s"
        ) % {"link": unsubscribe}
        email_after_commit(
            to=email, subject=_("Update on issue %(id)s") % {"id": issue.pk}, body=body
        )


@transaction.atomic
def issue_add_note(*, issue: Issue, actor: Any, text: str, public: bool = True) -> IssueUpdate:
    """Add a note to the timeline (staff); public notes reach followers."""
    if not can_manage_issues(actor, issue):
        raise PermissionDenied(_("Only staff can add notes."))
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    update = timeline_add(issue=issue, actor=actor, text=text, public=public)
    audit_record(
        actor=actor, verb="issue.note", target=issue, zone=issue.zone, data={"public": public}
    )
    if public:
        _notify_followers(issue, _("A note was added."), text)
    return update


@transaction.atomic
def issue_support(*, issue: Issue, actor: Any) -> Issue:
    """“Me too”: one more person has this problem. Only open, public issues can be supported."""
    if issue.state not in TRANSITIONS["fix"].sources:
        raise ValidationError(_("Only open issues can be supported."))
    Issue.objects.filter(pk=issue.pk).update(support_count=F("support_count") + 1)
    issue.refresh_from_db(fields=["support_count"])
    audit_record(actor=_audit_actor(actor), verb="issue.support", target=issue, zone=issue.zone)
    return issue


@transaction.atomic
def issue_redact(*, issue: Issue, actor: Any, description: str) -> Issue:
    """Replace the public description (e.g. to remove a name); the original is kept for staff."""
    if not can_manage_issues(actor, issue):
        raise PermissionDenied(_("Only staff can redact issues."))
    if not issue.original_description:
        issue.original_description = issue.description
    issue.description = description.strip()
    issue.save(update_fields=["description", "original_description", "modified"])
    audit_record(actor=actor, verb="issue.redact", target=issue, zone=issue.zone)
    return issue


@transaction.atomic
def issue_photo_set_public(*, photo: IssuePhoto, actor: Any, public: bool) -> IssuePhoto:
    """Hide a photo from the public (the file is kept), or show it again."""
    if not can_manage_issues(actor, photo.issue):
        raise PermissionDenied(_("Only staff can hide photos."))
    photo.public = public
    photo.save(update_fields=["public", "modified"])
    audit_record(
        actor=actor,
        verb="issue.photo.show" if public else "issue.photo.hide",
        target=photo.issue,
        zone=photo.issue.zone,
    )
    return photo


@transaction.atomic
def subscription_create(*, issue: Issue, email: str) -> IssueSubscription:
    """Start following an issue: a link is emailed to confirm (double opt-in)."""
    subscription, _created = IssueSubscription.objects.get_or_create(
        issue=issue, email=email.strip().lower()
    )
    if subscription.confirmed:
        return subscription
    link = settings.SITE_URL + reverse(
        "audits:subscription-confirm", kwargs={"token": subscription.token}
    )
    email_after_commit(
        to=subscription.email,
        subject=_("Confirm you want updates on issue %(id)s") % {"id": issue.pk},
        body=_("Open this link to get an email when issue %(id)s changes:\n\n%(link)s")
        % {"id": issue.pk, "link": link},
    )
    return subscription


@transaction.atomic
def subscription_confirm(*, token: str) -> IssueSubscription:
    subscription = IssueSubscription.objects.select_related("issue").get(token=token)
    if not subscription.confirmed:
        subscription.confirmed = True
        subscription.save(update_fields=["confirmed", "modified"])
    return subscription


@transaction.atomic
def subscription_cancel(*, token: str) -> None:
    """One-click unsubscribe: the row goes, so the address is kept no longer than needed."""
    IssueSubscription.objects.filter(token=token).delete()
