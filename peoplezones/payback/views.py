"""Pages of the payback planner: the plan (sites judged by the rule, a map, the projects) and
the forms for facilities, sites and projects. Programme team only; each view parses, checks
permission, calls a service or selector and renders."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peoplezones.core.forms import add_service_errors
from peoplezones.core.money import format_gbp
from peoplezones.finance.models import Spend
from peoplezones.payback import services
from peoplezones.payback.forms import CopyFromAssetsForm, FacilityForm, RuleForm, SiteForm
from peoplezones.payback.forms_projects import HoursForm, MaterialsForm, ProjectForm
from peoplezones.payback.models import PaybackSite, WelfareFacility
from peoplezones.payback.permissions import require_planner
from peoplezones.payback.selectors import payback_plan, project_get, project_list


@login_required
@require_safe
def planner(request: HttpRequest) -> HttpResponse:
    """Every site judged by the rule (set on the page), the map, facilities and projects."""
    require_planner(request.user)
    form = RuleForm.from_query(request.GET)
    failed = form.is_bound and not form.is_valid()
    plan = payback_plan(user=request.user, rule=form.rule())
    return render(
        request,
        "payback/planner.html",
        {
            "form": form,
            "plan": plan,
            "rule": plan.rule,
            "projects": project_list(user=request.user),
        },
        status=400 if failed else 200,
    )


def _facility_page(
    request: HttpRequest, form: FacilityForm, facility: WelfareFacility | None
) -> HttpResponse:
    return render(
        request,
        "payback/facility_form.html",
        {"form": form, "facility": facility},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_create(request: HttpRequest) -> HttpResponse:
    require_planner(request.user)
    if request.method != "POST":
        return _facility_page(request, FacilityForm(initial={"has_toilets": True}), None)
    form = FacilityForm(request.POST)
    if form.is_valid():
        try:
            facility = services.facility_create(
                actor=request.user,
                fields=form.facility_fields(),
                zone=form.cleaned_data["zone"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error, field_names={"sessions": None})
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": facility.name})
            return redirect("payback:planner")
    return _facility_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_planner(request.user)
    facility = get_object_or_404(WelfareFacility.objects.select_related("asset"), pk=pk)
    if request.method != "POST":
        return _facility_page(
            request, FacilityForm(initial=FacilityForm.initial_for(facility)), facility
        )
    form = FacilityForm(request.POST)
    if form.is_valid():
        try:
            services.facility_update(
                facility=facility,
                actor=request.user,
                fields=form.facility_fields(),
                zone=form.cleaned_data["zone"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error, field_names={"sessions": None})
        else:
            messages.success(request, _("“%(name)s” saved.") % {"name": facility.name})
            return redirect("payback:planner")
    return _facility_page(request, form, facility)


@login_required
@require_http_methods(["GET", "POST"])
def facilities_from_assets(request: HttpRequest) -> HttpResponse:
    """Copy published assets of chosen categories from the asset map as facilities."""
    require_planner(request.user)
    form = CopyFromAssetsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.facilities_from_assets(
                actor=request.user,
                categories=form.chosen_categories(),
                toilets=data["has_toilets"],
                water=data["has_water"],
                shelter=data["has_shelter"],
                zone=data["zone"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error, field_names={"sessions": None})
        else:
            messages.success(
                request,
                _("From the asset map: %(added)s, %(updated)s, %(unchanged)s.")
                % {
                    "added": ngettext(
                        "%(count)s facility added", "%(count)s facilities added", len(result.added)
                    )
                    % {"count": len(result.added)},
                    "updated": ngettext(
                        "%(count)s updated", "%(count)s updated", len(result.updated)
                    )
                    % {"count": len(result.updated)},
                    "unchanged": ngettext(
                        "%(count)s already up to date",
                        "%(count)s already up to date",
                        result.unchanged,
                    )
                    % {"count": result.unchanged},
                },
            )
            return redirect(reverse("payback:planner") + "#facilities")
    return render(
        request,
        "payback/from_assets.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _site_page(request: HttpRequest, form: SiteForm, site: PaybackSite | None) -> HttpResponse:
    return render(
        request,
        "payback/site_form.html",
        {"form": form, "site": site},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    require_planner(request.user)
    if request.method != "POST":
        return _site_page(request, SiteForm(), None)
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            site = services.site_create(
                actor=request.user,
                fields=form.site_fields(),
                sessions=form.cleaned_data["sessions"],
                zone=form.cleaned_data["zone"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error, field_names={"sessions": None})
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": site.name})
            return redirect("payback:planner")
    return _site_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_planner(request.user)
    site = get_object_or_404(PaybackSite.objects.prefetch_related("sessions"), pk=pk)
    if request.method != "POST":
        return _site_page(request, SiteForm.for_site(site), site)
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            services.site_update(
                site=site,
                actor=request.user,
                fields=form.site_fields(),
                sessions=form.cleaned_data["sessions"],
                zone=form.cleaned_data["zone"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error, field_names={"sessions": None})
        else:
            messages.success(request, _("“%(name)s” saved.") % {"name": site.name})
            return redirect("payback:planner")
    return _site_page(request, form, site)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    require_planner(request.user)
    default_line = services.default_budget_line()
    initial: dict[str, Any] = {}
    if request.method != "POST":
        site_pk = request.GET.get("site", "")
        if site_pk.isdigit():
            initial["site"] = int(site_pk)
        form = ProjectForm(default_line=default_line, initial=initial or None)
    else:
        form = ProjectForm(request.POST, default_line=default_line)
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.project_create(
                    actor=request.user,
                    site=data["site"],
                    title=data["title"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    description=data["description"],
                    zone=data["zone"],
                    budget_line=data["budget_line"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error, field_names={"sessions": None})
            else:
                messages.success(request, _("Project “%(title)s” started.") % {"title": project})
                return redirect("payback:project-detail", pk=project.pk)
    return render(
        request,
        "payback/project_form.html",
        {"form": form, "default_line": default_line},
        status=400 if form.errors else 200,
    )


def _project_page(
    request: HttpRequest,
    pk: int,
    *,
    hours_form: HoursForm | None = None,
    materials_form: MaterialsForm | None = None,
) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    hours_form = hours_form or HoursForm()
    materials_form = materials_form or MaterialsForm()
    purchases = project.materials.select_related("commitment__line__year").order_by("-pk")
    spend = Spend.objects.filter(commitment__payback_materials__project=project)
    paid: dict[int, Any] = {}
    for item in spend:
        paid[item.commitment_id] = paid.get(item.commitment_id, 0) + item.amount
    return render(
        request,
        "payback/project_detail.html",
        {
            "project": project,
            "hours": project.hours.all(),
            "purchases": [(p, paid.get(p.commitment_id)) for p in purchases],
            "line": project.budget_line or services.default_budget_line(),
            "hours_form": hours_form,
            "materials_form": materials_form,
        },
        status=400 if hours_form.errors or materials_form.errors else 200,
    )


@login_required
@require_safe
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_planner(request.user)
    return _project_page(request, pk)


@login_required
@require_POST
def project_hours(request: HttpRequest, pk: int) -> HttpResponse:
    require_planner(request.user)
    project = project_get(user=request.user, pk=pk)
    form = HoursForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.hours_record(
                project=project,
                actor=request.user,
                worked_on=data["worked_on"],
                hours=data["hours"],
                people=data["people"],
                note=data["note"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error, field_names={"sessions": None})
        else:
            messages.success(
                request,
                _("%(hours)s hours on %(date)s recorded.")
                % {"hours": entry.hours, "date": entry.worked_on.strftime("%d/%m/%Y")},
            )
            return redirect("payback:project-detail", pk=project.pk)
    return _project_page(request, pk, hours_form=form)


@login_required
@require_POST
def project_materials(request: HttpRequest, pk: int) -> HttpResponse:
    require_planner(request.user)
    project = project_get(user=request.user, pk=pk)
    form = MaterialsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            purchase = services.materials_record(
                project=project,
                actor=request.user,
                description=data["description"],
                amount=data["amount"],
                bought_on=data["bought_on"],
                paid=data["paid"],
                reference=data["reference"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error, field_names={"sessions": None})
        else:
            messages.success(
                request,
                _("%(amount)s of materials recorded against %(line)s.")
                % {
                    "amount": format_gbp(purchase.commitment.amount),
                    "line": purchase.commitment.line,
                },
            )
            return redirect("payback:project-detail", pk=project.pk)
    return _project_page(request, pk, materials_form=form)
