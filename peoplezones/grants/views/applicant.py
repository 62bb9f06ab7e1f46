"""The applicant's pages: the application form (save and come back, submit), the list of one's
applications, an application with its messages, withdrawal, resubmission and monitoring returns.

Only the applicant, the people who apply for its organisation and grants staff see an
application; anyone else gets the same 404 as for a reference that does not exist, so
references cannot be guessed. Writes go to `grants.services`.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peoplezones.core.forms import add_service_errors
from peoplezones.core.images import reencode_image
from peoplezones.core.money import format_gbp
from peoplezones.grants import permissions, services
from peoplezones.grants.forms_applicant import (
    ApplicationForm,
    MessageForm,
    MonitoringReturnForm,
    WithdrawForm,
    budget_formset,
    budget_items,
    posted_budget_rows,
    validation_messages,
)
from peoplezones.grants.models import Application, GrantRound, MonitoringReturn, Organisation
from peoplezones.grants.workflow import APPLICANT_EDITABLE, available_actions

S = Application.Status

# What an applicant reads about their application. Staff recommendations stay internal until
# the commissioner decides, so both read as "waiting for a decision".
APPLICANT_STATUS = {
    S.RECOMMENDED: gettext_lazy("Waiting for the decision"),
    S.NOT_RECOMMENDED: gettext_lazy("Waiting for the decision"),
}
NEXT_STEP = {
    S.DRAFT: gettext_lazy(
        "Not sent yet. Finish it and submit it before the round closes at %(closes)s."
    ),
    S.SUBMITTED: gettext_lazy(
        "The programme team will check that it meets the round's rules, then send it to "
        "assessment or ask you for more information."
    ),
    S.MORE_INFORMATION: gettext_lazy(
        "The programme team has asked for more information. Read their message, change your "
        "application and submit it again."
    ),
    S.INELIGIBLE: gettext_lazy(
        "It does not meet the round's rules, so it will not be assessed. The message explains why."
    ),
    S.ASSESSMENT: gettext_lazy("Assessors are scoring it against the round's criteria."),
    S.RECOMMENDED: gettext_lazy("The commissioner will decide, and we will tell you."),
    S.NOT_RECOMMENDED: gettext_lazy("The commissioner will decide, and we will tell you."),
    S.APPROVED: gettext_lazy(
        "You have a grant. Send each monitoring return by the date it is due."
    ),
    S.DECLINED: gettext_lazy("It was not funded this time. The message explains why."),
    S.WITHDRAWN: gettext_lazy("You withdrew it. Nothing more will happen."),
}

# Where a service's complaint about a field belongs on the form.
SERVICE_FIELDS = {
    "eligibility_answers": "eligibility",
    "name": "org_name",
    "charity_number": "org_charity_number",
    "company_number": "org_company_number",
    "address": "org_address",
    "postcode": "org_postcode",
    "connection": "org_connection",
    "organisation": "organisation",
}
CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _closes(grant_round: GrantRound) -> str:
    closes = timezone.localtime(grant_round.closes_at)
    return _("%(time)s on %(date)s (UK time)") % {
        "time": closes.strftime("%H:%M"),
        "date": date_format(closes, "j F Y"),
    }


def _money(amount) -> str:
    return "" if amount is None else format_gbp(amount)


def status_for(application: Application, user: Any) -> str:
    if permissions.is_grants_staff(user):
        return application.get_status_display()
    return str(APPLICANT_STATUS.get(application.status, application.get_status_display()))


def next_step(application: Application) -> str:
    return str(NEXT_STEP[application.status]) % {"closes": _closes(application.round)}


def _application_or_404(request: HttpRequest, reference: str, *, edit: bool = False):
    """The application if this user may see it (edit: if they may change it), else 404."""
    application = (
        Application.objects.select_related(
            "round__fund", "organisation", "zone", "applicant", "award"
        )
        .filter(reference=reference)
        .first()
    )
    if application is None:
        raise Http404(_("There is no such application."))
    user = request.user
    allowed = permissions.is_applicant_for(user, application) or (
        not edit and permissions.is_grants_staff(user)
    )
    if not allowed:
        raise Http404(_("There is no such application."))
    return application


def _organisation_create(*, actor: Any, fields: dict[str, Any]) -> Organisation:
    """services.organisation_create, with the model's field names mapped to this form's."""
    try:
        return services.organisation_create(actor=actor, fields=fields)
    except ValidationError as error:
        raise ValidationError(
            {SERVICE_FIELDS.get(k, k): v for k, v in error.message_dict.items()}
        ) from None


def _add_service_errors(
    form: ApplicationForm, error: ValidationError, budget_errors: list[str]
) -> None:
    if not hasattr(error, "error_dict"):
        for message in validation_messages(error):
            form.add_error(None, message)
        return
    for field, problems in error.message_dict.items():
        for problem in problems:
            if field == "budget_items":
                budget_errors.append(problem)
                continue
            target = SERVICE_FIELDS.get(field, field)
            # add_error drops a field from cleaned_data; that is fine once the form is done.
            form.add_error(target if target in form.fields else None, problem)


def _error_summary(form: ApplicationForm, formset, budget_errors: list[str]) -> list[dict]:
    """The error summary's lines in page order, each linked to the control it is about."""
    lines: list[dict] = [{"text": message} for message in form.non_field_errors()]
    first_row = "id_items-0-description"

    def budget_lines() -> list[dict]:
        found = [{"href": first_row, "text": m} for m in formset.non_form_errors()]
        found += [{"href": first_row, "text": m} for m in budget_errors]
        for index, row in enumerate(formset.forms):
            for name in ("description", "cost"):
                for message in row.errors.get(name, []):
                    found.append({"href": f"id_items-{index}-{name}", "text": message})
        return found

    for name, field in form.fields.items():
        anchor = f"id_{name}_0" if isinstance(field.widget, CHOICE_WIDGETS) else f"id_{name}"
        lines += [{"href": anchor, "text": message} for message in form.errors.get(name, [])]
        if name == "amount_requested":
            lines += budget_lines()
    return lines


def _form_kwargs(request: HttpRequest, grant_round: GrantRound, application) -> dict:
    organisations = list(request.user.organisations.order_by("name"))
    if application is not None and application.organisation not in organisations:
        organisations.append(application.organisation)
    return {"grant_round": grant_round, "organisations": organisations}


def _unbound_copy(form: ApplicationForm, data, kwargs: dict) -> ApplicationForm:
    """The same form showing what was typed but no messages (for "add more rows")."""
    initial = {}
    for name, field in form.fields.items():
        multiple = isinstance(field.widget, forms.CheckboxSelectMultiple)
        initial[name] = data.getlist(name) if multiple else data.get(name, "")
    return ApplicationForm(initial=initial, **kwargs)


def _render_form(
    request: HttpRequest,
    grant_round: GrantRound,
    application,
    form: ApplicationForm,
    formset,
    *,
    budget_errors: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    errors = _error_summary(form, formset, list(budget_errors)) if form.is_bound else []
    problems = []
    if application is not None and not form.is_bound:
        problems = [
            message
            for field, messages_ in services.submission_problems(application).items()
            for message in messages_
            if field != "__all__"
        ]
    return render(
        request,
        "grants/applicant/application_form.html",
        {
            "grant_round": grant_round,
            "application": application,
            "form": form,
            "formset": formset,
            "budget_errors": list(budget_errors),
            "errors": errors,
            "problems": problems,
            "closes": _closes(grant_round),
            "maximum": format_gbp(grant_round.maximum_award),
            "round_open": grant_round.is_open(),
            "email_confirmed": request.user.email_verified_at is not None,
            "org_fields": [form[name] for name in ApplicationForm.ORGANISATION_FIELDS],
        },
        status=status,
    )


def _application_page(request: HttpRequest, grant_round: GrantRound, application):
    kwargs = _form_kwargs(request, grant_round, application)
    if request.method == "GET":
        initial = ApplicationForm.initial_for(application, grant_round=grant_round)
        if application is None and len(kwargs["organisations"]) == 1:
            initial["organisation"] = str(kwargs["organisations"][0].pk)
        form = ApplicationForm(initial=initial, **kwargs)
        rows = []
        if application is not None:
            rows = [
                {"description": item.description, "cost": str(item.amount)}
                for item in application.budget_items.all()
            ]
        return _render_form(request, grant_round, application, form, budget_formset(rows=rows))

    action = request.POST.get("action", "save")
    form = ApplicationForm(request.POST, **kwargs)
    if action == "add_rows":
        # Without JavaScript, more rows come from the server: the page comes back as typed.
        formset = budget_formset(rows=posted_budget_rows(request.POST), extra=4)
        return _render_form(
            request, grant_round, application, _unbound_copy(form, request.POST, kwargs), formset
        )

    formset = budget_formset(data=request.POST)
    budget_errors: list[str] = []
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    submitting = action == "submit"
    if valid and submitting and request.user.email_verified_at is None:
        form.add_error(
            None,
            _(
                "Confirm your email address before you submit: open the link we emailed you, "
                "or ask for a new one. Nothing has been sent or saved yet; you can save your "
                "application and submit it later."
            ),
        )
        valid = False
    if valid:
        data = form.cleaned_data
        try:
            with transaction.atomic():
                organisation = (
                    _organisation_create(actor=request.user, fields=form.organisation_fields())
                    if form.is_new_organisation
                    else form.chosen_organisation()
                )
                saved = services.save_application(
                    actor=request.user,
                    grant_round=grant_round,
                    organisation=organisation,
                    zone=data["zone"],
                    data=form.application_data(),
                    items=budget_items(formset),
                    themes=data["themes"],
                    application=application,
                )
                if submitting:
                    services.move(application=saved, action="submit", actor=request.user)
        except ValidationError as error:
            _add_service_errors(form, error, budget_errors)
        else:
            if submitting:
                messages.success(
                    request,
                    _("Your application %(reference)s has been submitted.")
                    % {"reference": saved.reference},
                )
                return redirect("grants:application-detail", reference=saved.reference)
            messages.success(
                request,
                _(
                    "Your application %(reference)s is saved. You can come back to it from "
                    "your grant applications at any time before the round closes."
                )
                % {"reference": saved.reference},
            )
            return redirect("grants:application-edit", reference=saved.reference)
    if application is not None:
        # A failed save or submission changed nothing: show the application as it is stored.
        application.refresh_from_db()
    return _render_form(
        request,
        grant_round,
        application,
        form,
        formset,
        budget_errors=budget_errors,
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """Start an application to an open round."""
    grant_round = get_object_or_404(GrantRound.objects.select_related("fund"), slug=slug)
    if not grant_round.is_open():
        return render(
            request,
            "grants/applicant/round_not_open.html",
            {"grant_round": grant_round, "closes": _closes(grant_round)},
            status=200 if request.method == "GET" else 400,
        )
    return _application_page(request, grant_round, None)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """Carry on with a draft, or change an application the programme team asked about."""
    application = _application_or_404(request, reference, edit=True)
    if application.status not in APPLICANT_EDITABLE:
        messages.info(
            request,
            _("This application is “%(status)s”, so it can no longer be changed.")
            % {"status": status_for(application, request.user)},
        )
        return redirect("grants:application-detail", reference=reference)
    return _application_page(request, application.round, application)


@login_required
@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    """The signed-in person's applications (theirs and their organisations'), newest first."""
    user = request.user
    applications = (
        Application.objects.filter(Q(applicant=user) | Q(organisation__owners=user))
        .distinct()
        .select_related("round", "organisation", "zone", "award")
        .prefetch_related("award__monitoring_returns")
        .order_by("-created", "-pk")
    )
    rows = []
    for application in applications:
        award = getattr(application, "award", None)
        due = []
        if award is not None:
            due = [
                r for r in award.monitoring_returns.all() if r.status == MonitoringReturn.Status.DUE
            ]
        rows.append(
            {
                "application": application,
                "status": status_for(application, user),
                "next_step": next_step(application),
                "award": award,
                "amount": _money(award.amount if award else application.amount_requested),
                "returns_due": due,
                "editable": application.status in APPLICANT_EDITABLE,
            }
        )
    return render(
        request,
        "grants/applicant/my_applications.html",
        {"rows": rows, "email_confirmed": user.email_verified_at is not None},
    )


def _detail(request: HttpRequest, application: Application, **extra: Any) -> dict:
    user = request.user
    award = getattr(application, "award", None)
    answers = application.eligibility_answers or {}
    actions = {t.action for t in available_actions(user=user, application=application)}
    is_applicant = permissions.is_applicant_for(user, application)
    items = list(application.budget_items.all())
    returns = list(award.monitoring_returns.all()) if award is not None else []
    return {
        "application": application,
        "status": status_for(application, user),
        "next_step": next_step(application),
        "amount_requested": _money(application.amount_requested),
        "items": [(item.description, format_gbp(item.amount)) for item in items],
        "items_total": format_gbp(sum((item.amount for item in items), Decimal("0.00"))),
        "themes": list(application.themes.all()),
        "eligibility": [
            (question, answers.get(question) is True)
            for question in application.round.eligibility_questions
        ],
        "thread": list(application.messages.select_related("author")),
        "award": award,
        "award_amount": _money(award.amount) if award is not None else "",
        "returns": [(item, _money(item.spend_to_date)) for item in returns],
        "today": timezone.localdate(),
        "can_withdraw": "withdraw" in actions,
        "can_change": is_applicant and application.status in APPLICANT_EDITABLE,
        "can_change_returns": is_applicant,
        "message_form": extra.pop("message_form", None) or MessageForm(),
        **extra,
    }


@login_required
@require_safe
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    application = _application_or_404(request, reference)
    return render(
        request, "grants/applicant/application_detail.html", _detail(request, application)
    )


@login_required
@require_POST
def application_message(request: HttpRequest, reference: str) -> HttpResponse:
    """Write to the programme team about an application."""
    application = _application_or_404(request, reference)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.send_message(
                application=application, actor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            for message in validation_messages(error):
                form.add_error("body", message)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect(
                reverse("grants:application-detail", kwargs={"reference": reference}) + "#messages"
            )
    return render(
        request,
        "grants/applicant/application_detail.html",
        _detail(request, application, message_form=form),
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """Withdraw an application, after saying yes on a page that explains what that means."""
    application = _application_or_404(request, reference, edit=True)
    posted = request.method == "POST"
    if not posted and not any(
        t.action == "withdraw"
        for t in available_actions(user=request.user, application=application)
    ):
        messages.info(
            request,
            _("This application is “%(status)s”, so it can no longer be withdrawn.")
            % {"status": status_for(application, request.user)},
        )
        return redirect("grants:application-detail", reference=reference)
    form = WithdrawForm(request.POST if posted else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.move(
                application=application,
                action="withdraw",
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in validation_messages(error):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("You have withdrawn application %(reference)s.") % {"reference": reference},
            )
            return redirect("grants:application-detail", reference=reference)
    if request.method == "POST":
        status = 400
    return render(
        request,
        "grants/applicant/withdraw.html",
        {"application": application, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_submit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Send (or correct, until it is accepted) one monitoring return of an award."""
    application = _application_or_404(request, reference, edit=True)
    award = getattr(application, "award", None)
    if award is None:
        raise Http404(_("There is no such monitoring return."))
    item = get_object_or_404(MonitoringReturn, pk=pk, award=award)
    if item.status == MonitoringReturn.Status.ACCEPTED:
        messages.info(request, _("This return has been accepted and can no longer be changed."))
        return redirect("grants:application-detail", reference=reference)
    if request.method == "GET":
        form = MonitoringReturnForm(initial=MonitoringReturnForm.initial_for(item))
        return render(
            request,
            "grants/applicant/return_form.html",
            {"application": application, "award": award, "item": item, "form": form},
        )
    form = MonitoringReturnForm(request.POST, request.FILES)
    if form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("photo", None)
        try:
            if upload:
                data["photo"] = reencode_image(upload)[0]
            with transaction.atomic():
                services.submit_return(item=item, actor=request.user, data=data)
        except ValidationError as error:
            add_service_errors(form, error, photo_field="photo")
        else:
            messages.success(
                request, _("Thank you: your return “%(title)s” is sent.") % {"title": item.title}
            )
            return redirect(
                reverse("grants:application-detail", kwargs={"reference": reference})
                + "#monitoring"
            )
    item.refresh_from_db()
    return render(
        request,
        "grants/applicant/return_form.html",
        {"application": application, "award": award, "item": item, "form": form},
        status=400,
    )
