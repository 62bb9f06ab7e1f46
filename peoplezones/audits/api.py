"""Issues in the API: public reports (multipart, with photos), GeoJSON reads, staff moves."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from peoplezones.accounts.api import optional_token_auth, token_auth
from peoplezones.audits.models import Audit, Issue, IssueCategory
from peoplezones.audits.permissions import can_manage_issues
from peoplezones.audits.selectors import issue_get, issue_list, issue_photos
from peoplezones.audits.serializers import issue_feature, issue_private_properties
from peoplezones.audits.services import issue_report, issue_transition
from peoplezones.audits.workflow import CLOSED_STATES, OPEN_STATES
from peoplezones.core.api_helpers import bbox_or_400, paged_feature_collection
from peoplezones.core.http import contribution_limited
from peoplezones.zones.models import Zone

router = Router(tags=["issues"], auth=optional_token_auth)
MAX_PAGE_SIZE = 500


class IssueFilters(Schema):
    zone: str | None = None
    audit: str | None = None
    category: str | None = None
    state: str | None = Field(None, description="A state, or `open` / `closed` for all of them.")
    bbox: str | None = Field(None, description="minlon,minlat,maxlon,maxlat (WGS84).")
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


def _lookup(model, field: str, value: str | None, noun: str):
    if not value:
        return None
    found = model.objects.filter(**{field: value}).first()
    if found is None:
        raise HttpError(400, f"There is no {noun} called “{value}”.")
    return found


def _states(value: str | None) -> list[str] | None:
    if not value:
        return None
    if value == "open":
        return sorted(OPEN_STATES)
    if value == "closed":
        return sorted(CLOSED_STATES)
    if value not in Issue.State.values:
        raise HttpError(
            400,
            f"“{value}” is not a state. Use open, closed or one of: "
            + ", ".join(Issue.State.values)
            + ".",
        )
    return [value]


@router.get("/issues", summary="Reported issues as a GeoJSON FeatureCollection (public fields)")
def issues(request: HttpRequest, filters: Query[IssueFilters]) -> dict[str, Any]:
    found = issue_list(
        user=request.auth,
        zone=_lookup(Zone, "slug", filters.zone, "zone"),
        audit=_lookup(Audit, "slug", filters.audit, "audit"),
        category=_lookup(IssueCategory, "code", filters.category, "category"),
        states=_states(filters.state),
        bbox=bbox_or_400(filters.bbox),
    )
    return paged_feature_collection(
        request,
        items=found,
        page=filters.page,
        page_size=filters.page_size,
        params=filters.dict(),
        features=lambda rows: [issue_feature(issue) for issue in rows],
    )


@router.get("/issues/{issue_id}", summary="One issue; staff also see private fields and photos")
def issue_detail(request: HttpRequest, issue_id: int) -> dict[str, Any]:
    try:
        issue = issue_get(user=request.auth, pk=issue_id)
    except Issue.DoesNotExist:
        raise HttpError(404, f"There is no issue {issue_id}.") from None
    feature = issue_feature(issue)
    if can_manage_issues(request.auth, issue):
        feature["properties"]["private"] = {
            **issue_private_properties(issue),
            "photos": [
                {"url": request.build_absolute_uri(p.image.url), "public": p.public}
                for p in issue_photos(user=request.auth, issue=issue)
            ],
        }
    return feature


class CreatedOut(Schema):
    id: int
    state: str


@router.post(
    "/issues",
    response={201: CreatedOut},
    summary="Report an issue (no account needed; multipart form with optional photos)",
)
def issue_create(
    request: HttpRequest,
    category: Form[str],
    latitude: Form[float],
    longitude: Form[float],
    description: Form[str] = "",
    email: Form[str] = "",
    name: Form[str] = "",
    phone: Form[str] = "",
    photo: File[list[UploadedFile]] = None,
) -> Status:
    """With an email from the public the issue waits for confirmation by the emailed link.

    Answers to the category's extra questions go in fields named `attribute[<code>]`, as in
    Open311 (e.g. `attribute[fault]=Light is out`).
    """
    if contribution_limited(request):
        raise HttpError(429, "Too many reports from your address: try again in an hour.")
    found = IssueCategory.objects.filter(code=category, active=True).first()
    if found is None:
        raise HttpError(400, f"There is no category called “{category}”.")
    issue = issue_report(
        actor=request.auth,
        category=found,
        latitude=latitude,
        longitude=longitude,
        description=description[:2000],
        attributes={
            key[len("attribute[") : -1]: value
            for key, value in request.POST.items()
            if key.startswith("attribute[") and key.endswith("]")
        },
        photos=photo or [],
        reporter_email=email.strip(),
        reporter_name=name[:120],
        reporter_phone=phone[:40],
        source=Issue.Source.API,
    )
    return Status(201, {"id": issue.pk, "state": issue.state})


class TransitionIn(Schema):
    action: str
    text: str = Field("", max_length=5000)
    public: bool = True
    term: Literal["", "short", "medium", "long"] = ""
    duplicate_of: int | None = None


@router.post(
    "/issues/{issue_id}/transition",
    response=CreatedOut,
    auth=token_auth,
    summary="Move an issue (staff), as the declared lifecycle allows",
)
def issue_move(request: HttpRequest, issue_id: int, payload: TransitionIn) -> dict[str, Any]:
    try:
        issue = issue_get(user=request.auth, pk=issue_id)
    except Issue.DoesNotExist:
        raise HttpError(404, f"There is no issue {issue_id}.") from None
    original = None
    if payload.duplicate_of is not None:
        original = Issue.objects.filter(pk=payload.duplicate_of).first()
        if original is None:
            raise HttpError(400, f"There is no issue {payload.duplicate_of}.")
    issue = issue_transition(
        issue=issue,
        actor=request.auth,
        action=payload.action,
        text=payload.text,
        public=payload.public,
        term=payload.term,
        duplicate_of=original,
    )
    return {"id": issue.pk, "state": issue.state}
