"""Staff pages for issues: the validation queue, one issue with everything about it, referrals
to councils and their answers, walk lists, the dashboard and the CSV export; plus the signed
page where a council updates the issues referred to it without an account.

Each page checks `can_manage_issues` (a zone officer sees the zones they serve) and hands the
work to the services in `audits.services` and `audits.referrals`.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from peoplezones.audits.models import Audit, Body, Issue, IssueCategory, Referral
from peoplezones.audits.permissions import can_manage_issues, can_see_reporter, managed_zone_ids
from peoplezones.audits.referrals import (
    BODY_ACTIONS,
    body_update_link,
    referral_body_update,
    referral_create,
    referral_csv,
    referral_record_response,
)
from peoplezones.audits.selectors import (
    issue_get,
    issue_photos,
    issue_timeline,
    staff_issue_list,
    validation_queue,
)
from peoplezones.audits.services import (
    issue_add_note,
    issue_photo_set_public,
    issue_redact,
    issue_transition,
)
from peoplezones.audits.stats import issue_stats, walk_list
from peoplezones.audits.workflow import (
    CLOSED_STATES,
    OPEN_STATES,
    PUBLIC_STATES,
    TRANSITIONS,
    available_actions,
)
from peoplezones.core.forms import add_service_errors
from peoplezones.zones.models import Zone

PAGE_SIZE = 50
WALK_LIMIT = 500
STATE_GROUPS = {"open": sorted(OPEN_STATES), "closed": sorted(CLOSED_STATES)}
TERM_CHOICES = [("", gettext_lazy("Choose a term")), *Issue.Term.choices]


class IssueFilterForm(forms.Form):
    zone = forms.ModelChoiceField(
        queryset=Zone.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        label=gettext_lazy("Zone"),
        empty_label=gettext_lazy("All your zones"),
    )
    audit = forms.ModelChoiceField(
        queryset=Audit.objects.order_by("-starts", "name"),
        to_field_name="slug",
        required=False,
        label=gettext_lazy("Audit"),
        empty_label=gettext_lazy("All audits"),
    )
    category = forms.ModelChoiceField(
        queryset=IssueCategory.objects.order_by("order", "name"),
        to_field_name="code",
        required=False,
        label=gettext_lazy("Category"),
        empty_label=gettext_lazy("All categories"),
    )
    state = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("Any state")),
            ("open", gettext_lazy("All open states")),
            ("closed", gettext_lazy("All closed states")),
            *Issue.State.choices,
        ],
        required=False,
        label=gettext_lazy("State"),
    )

    def states(self) -> list[str] | None:
        state = self.cleaned_data.get("state") or ""
        return STATE_GROUPS.get(state) or ([state] if state else None)


# Referring goes through the refer page, so that the body and how it was told are recorded.
DIRECT_MOVES = [action for action in TRANSITIONS if action != "refer"]


class MoveForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, TRANSITIONS[a].label) for a in DIRECT_MOVES])
    text = forms.CharField(
        label=gettext_lazy("Note for the timeline (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public = forms.BooleanField(label=gettext_lazy("Show the note to the public"), required=False)
    term = forms.ChoiceField(
        label=gettext_lazy("Planned term (needed to schedule action)"),
        choices=TERM_CHOICES,
        required=False,
    )
    duplicate_of = forms.IntegerField(
        label=gettext_lazy("Number of the issue it duplicates (needed to close as a duplicate)"),
        required=False,
        min_value=1,
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    public = forms.BooleanField(label=gettext_lazy("Show the note to the public"), required=False)


class RedactForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Public description"),
        help_text=gettext_lazy(
            "Remove names, phone numbers or anything else that should not be public. "
            "The original is kept for staff."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReferForm(forms.Form):
    issues = forms.ModelMultipleChoiceField(
        queryset=Issue.objects.none(),
        label=gettext_lazy("Issues to refer"),
        widget=forms.CheckboxSelectMultiple,
    )
    body = forms.ModelChoiceField(
        queryset=Body.objects.order_by("name"),
        label=gettext_lazy("Refer to"),
        empty_label=gettext_lazy("Choose a council or agency"),
    )
    method = forms.ChoiceField(
        choices=Referral.Method.choices,
        label=gettext_lazy("How to send them"),
        widget=forms.RadioSelect,
    )


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=gettext_lazy("What the body said"),
        help_text=gettext_lazy("Kept as an internal note on each issue."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    state_action = forms.ChoiceField(
        label=gettext_lazy("Move the issues"),
        choices=[
            ("", gettext_lazy("No change")),
            *[(a, TRANSITIONS[a].label) for a in BODY_ACTIONS],
        ],
        required=False,
    )
    term = forms.ChoiceField(
        label=gettext_lazy("Planned term"), choices=TERM_CHOICES, required=False
    )


class BodyUpdateForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("What is happening"), choices=())
    term = forms.ChoiceField(
        label=gettext_lazy("When (needed to schedule action)"), choices=TERM_CHOICES, required=False
    )
    text = forms.CharField(
        label=gettext_lazy("Note for residents (shown in public)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _require_staff(request: HttpRequest, zone: Any = None) -> None:
    """The page is for people who manage issues: of the chosen zone, or of any zone."""
    if zone is not None:
        allowed = can_manage_issues(request.user, zone)
    else:
        allowed = managed_zone_ids(user=request.user) != set()
    if not allowed:
        raise PermissionDenied(_("Only the people who manage issues can see this page."))


def _filter_form(request: HttpRequest) -> IssueFilterForm:
    form = IssueFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        _require_staff(request, form.cleaned_data["zone"])
    else:
        _require_staff(request)
    return form


def _filters(form: IssueFilterForm) -> dict[str, Any]:
    if not form.is_bound or not form.is_valid():
        return {"zone": None, "audit": None, "category": None}
    return {key: form.cleaned_data[key] for key in ("zone", "audit", "category")}


def _staff_issue(request: HttpRequest, pk: int) -> Issue:
    try:
        issue = issue_get(user=request.user, pk=pk)
    except Issue.DoesNotExist:
        raise Http404(_("There is no such issue.")) from None
    _require_staff(request, issue)
    return issue


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """New and unconfirmed issues, oldest first; or every issue in a chosen state."""
    form = _filter_form(request)
    filters = _filters(form)
    states = form.states() if form.is_bound and form.is_valid() else None
    if states:
        issues = staff_issue_list(user=request.user, states=states, **filters)
    else:
        issues = validation_queue(user=request.user, **filters)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audits/staff/queue.html",
        {
            "form": form,
            "page": Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": params.urlencode(),
            "showing_queue": not states,
        },
        status=400 if form.errors else 200,
    )


def _issue_context(request: HttpRequest, issue: Issue, **forms_: forms.Form) -> dict[str, Any]:
    return {
        "issue": issue,
        "show_reporter": can_see_reporter(request.user, issue),
        "photos": issue_photos(user=request.user, issue=issue),
        "timeline": issue_timeline(user=request.user, issue=issue),
        "actions": [
            t
            for t in available_actions(actor=request.user, issue=issue)
            if t.action in DIRECT_MOVES
        ],
        "referrals": issue.referrals.select_related("body").order_by("-created"),
        "move_form": forms_.get("move") or MoveForm(prefix="move", initial={"public": True}),
        "note_form": forms_.get("note") or NoteForm(prefix="note"),
        "redact_form": forms_.get("redact")
        or RedactForm(prefix="redact", initial={"description": issue.description}),
        "error_form": next(iter(forms_.values()), None),
    }


def _issue_post(request: HttpRequest, issue: Issue) -> forms.Form | None:
    """Do what the submitted form asks; return it with its errors, or None when done."""
    kind = request.POST.get("form")
    if kind == "move":
        form = MoveForm(request.POST, prefix="move")
    elif kind == "note":
        form = NoteForm(request.POST, prefix="note")
    elif kind == "redact":
        form = RedactForm(request.POST, prefix="redact")
    elif kind == "photo":
        photo = issue.photos.filter(pk__in=_ids([request.POST.get("photo", "")])).first()
        if photo is None:
            raise Http404(_("There is no such photo."))
        issue_photo_set_public(
            photo=photo, actor=request.user, public=request.POST.get("public") == "1"
        )
        return None
    else:
        raise Http404(_("There is no such form."))
    if not form.is_valid():
        return form
    data = form.cleaned_data
    try:
        if kind == "move":
            duplicate_of = None
            if data["duplicate_of"]:
                duplicate_of = Issue.objects.filter(pk=data["duplicate_of"]).first()
                if duplicate_of is None:
                    form.add_error("duplicate_of", _("There is no issue with that number."))
                    return form
            issue_transition(
                issue=issue,
                actor=request.user,
                action=data["action"],
                text=data["text"],
                public=data["public"],
                term=data["term"],
                duplicate_of=duplicate_of,
            )
        elif kind == "note":
            issue_add_note(
                issue=issue, actor=request.user, text=data["text"], public=data["public"]
            )
        else:
            issue_redact(issue=issue, actor=request.user, description=data["description"])
    except (ValidationError, PermissionDenied) as error:
        add_service_errors(form, error)
        return form
    return None


@login_required
@require_http_methods(["GET", "POST"])
def issue_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One issue with its private details, whole timeline and photos, and the moves allowed now."""
    issue = _staff_issue(request, pk)
    if request.method == "POST":
        failed = _issue_post(request, issue)
        if failed is None:
            messages.success(request, _("Done."))
            return redirect("audits:staff-issue", pk=issue.pk)
        context = _issue_context(request, issue, **{request.POST["form"]: failed})
        return render(request, "audits/staff/issue.html", context, status=400)
    return render(request, "audits/staff/issue.html", _issue_context(request, issue))


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    """Refer the chosen issues to a body: a CSV download, or sent by email or Open311."""
    _require_staff(request)
    source = request.POST if request.method == "POST" else request.GET
    chosen = staff_issue_list(user=request.user, ids=_ids(source.getlist("issues")))
    if request.method == "POST":
        form = ReferForm(request.POST)
        form.fields["issues"].queryset = chosen
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = referral_create(
                    issues=data["issues"],
                    body=data["body"],
                    method=data["method"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error)
            else:
                if referral.method == Referral.Method.CSV:
                    return _csv_response(
                        referral_csv(issues=referral.issues.order_by("pk")),
                        f"referral-{referral.pk}.csv",
                    )
                messages.success(
                    request,
                    _("%(count)d issues were sent to %(body)s.")
                    % {"count": len(data["issues"]), "body": referral.body.name},
                )
                return redirect("audits:staff-referral", pk=referral.pk)
    else:
        bodies = {issue.category.default_body_id for issue in chosen}
        form = ReferForm(
            initial={
                "issues": [issue.pk for issue in chosen],
                "body": bodies.pop() if len(bodies) == 1 else None,
                "method": Referral.Method.EMAIL,
            }
        )
        form.fields["issues"].queryset = chosen
    return render(
        request, "audits/staff/refer.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral: what was sent, where, the body's update link, and its response."""
    referral = (
        Referral.objects.select_related("body", "created_by")
        .prefetch_related(
            Prefetch("issues", queryset=Issue.objects.select_related("category", "zone"))
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404(_("There is no such referral."))
    zone_ids = managed_zone_ids(user=request.user)
    issues = list(referral.issues.all())
    if zone_ids is not None and (not zone_ids or any(i.zone_id not in zone_ids for i in issues)):
        raise PermissionDenied(_("Only the people who manage these issues can see this page."))
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral_record_response(
                referral=referral,
                actor=request.user,
                response=form.cleaned_data["response"],
                state_action=form.cleaned_data["state_action"] or None,
                term=form.cleaned_data["term"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The response is recorded."))
            return redirect("audits:staff-referral", pk=referral.pk)
    return render(
        request,
        "audits/staff/referral.html",
        {
            "referral": referral,
            "issues": issues,
            "form": form,
            "update_link": body_update_link(referral),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def body_update(request: HttpRequest, token: str) -> HttpResponse:
    """The council's page behind the signed link: a small form per issue referred to it."""
    referral = Referral.objects.select_related("body").filter(update_token=token).first()
    if referral is None:
        raise Http404(_("This link is not right. Check you copied all of it."))
    issues = referral.issues.filter(state__in=PUBLIC_STATES).select_related("category")
    posted = _ids([request.POST.get("issue", "")]) if request.method == "POST" else []
    rows, failed = [], None
    for issue in issues.order_by("pk"):
        actions = [
            (t.action, t.label)
            for t in available_actions(actor=referral.body, issue=issue)
            if t.action in BODY_ACTIONS
        ]
        bound = posted == [issue.pk]
        form = BodyUpdateForm(request.POST if bound else None, prefix=f"issue-{issue.pk}")
        form.fields["action"].choices = [("", _("Choose what is happening")), *actions]
        if bound and form.is_valid():
            try:
                referral_body_update(
                    referral=referral,
                    token=token,
                    issue=issue,
                    action=form.cleaned_data["action"],
                    text=form.cleaned_data["text"],
                    term=form.cleaned_data["term"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Issue %(id)s is updated.") % {"id": issue.pk})
                return redirect("audits:body-update", token=token)
        if bound and form.errors:
            failed = form
        rows.append({"issue": issue, "form": form if actions or bound else None})
    if request.method == "POST" and failed is None:
        # Neither done nor refused: the issue posted is not one of this referral's.
        raise Http404(_("This issue was not referred to you."))
    response = render(
        request,
        "audits/staff/body_update.html",
        {"referral": referral, "rows": rows, "failed": failed},
        status=400 if failed else 200,
    )
    # The token is the key: keep it out of other sites' logs and out of search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_safe
def walk(request: HttpRequest) -> HttpResponse:
    """A printable list of issues to check on foot, self-contained so it still opens offline."""
    form = _filter_form(request)
    filters = _filters(form)
    states = form.states() if form.is_bound and form.is_valid() else None
    ids = _ids(request.GET.getlist("issues")) or None
    issues = staff_issue_list(
        user=request.user,
        states=states or (None if ids else [Issue.State.UNCONFIRMED, *sorted(OPEN_STATES)]),
        ids=ids,
        **filters,
    )
    return render(
        request,
        "audits/staff/walk.html",
        {
            "form": form,
            "filters": filters,
            "rows": walk_list(issues=issues[:WALK_LIMIT]),
            "limit": WALK_LIMIT,
            "printed": timezone.localtime(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts, median days to refer and to fix, and the oldest open issues."""
    form = _filter_form(request)
    filters = _filters(form)
    stats = issue_stats(user=request.user, zone=filters["zone"], audit=filters["audit"])
    return render(
        request,
        "audits/staff/dashboard.html",
        {"form": form, "stats": stats},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The filtered issues as the CSV councils expect; never any reporter's details."""
    form = _filter_form(request)
    if form.errors:
        return HttpResponse(
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    issues = staff_issue_list(
        user=request.user,
        states=form.states() if form.is_bound else None,
        **_filters(form),
    )
    return _csv_response(referral_csv(issues=issues), "issues.csv")


urlpatterns = [
    path("issues/staff/", queue, name="staff-queue"),
    path("issues/staff/<int:pk>/", issue_page, name="staff-issue"),
    path("issues/staff/refer/", refer, name="staff-refer"),
    path("issues/staff/referrals/<int:pk>/", referral_page, name="staff-referral"),
    path("issues/staff/walk/", walk, name="staff-walk"),
    path("issues/staff/dashboard/", dashboard, name="staff-dashboard"),
    path("issues/staff/export.csv", export, name="staff-export"),
    path("issues/body/<str:token>/", body_update, name="body-update"),
]
