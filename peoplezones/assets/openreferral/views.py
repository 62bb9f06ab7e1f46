"""Open Referral UK read API over the public asset map.

The wire format is fixed by the UK profile's OpenAPI document, so these are plain views rather
than Django Ninja endpoints. They parse the query, read public assets through the selectors and
hand each row to `mapping`. Bad parameter values get a 400 with a JSON message.
"""

import datetime
import functools
import math
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_safe

from peoplezones.assets.models import Asset, Category
from peoplezones.assets.openreferral import mapping
from peoplezones.assets.selectors import asset_list, category_list

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _not_found(what: str) -> JsonResponse:
    return JsonResponse({"detail": f"There is no {what} with that id."}, status=404)


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only, and a JSON 400 naming the parameter for any value that does not parse."""

    @require_safe
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadParameter as error:
            return JsonResponse({"detail": error.message, "parameter": error.name}, status=400)

    return wrapped


# Parsing query parameters.


def _integer(query: QueryDict, name: str, default: int, *, maximum: int | None = None) -> int:
    raw = query.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d+", raw) or int(raw) < 1:
        raise BadParameter(name, f"“{name}” must be a whole number of 1 or more.")
    if maximum is not None and int(raw) > maximum:
        raise BadParameter(name, f"“{name}” must be at most {maximum}.")
    return int(raw)


def _uuid(query: QueryDict, name: str) -> uuid.UUID | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadParameter(name, f"“{name}” must be a UUID.") from None


def _number(query: QueryDict, name: str) -> float | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(name, f"“{name}” must be a number.") from None
    if not math.isfinite(value) or value < 0:
        raise BadParameter(name, f"“{name}” must be a number of 0 or more.")
    return value


def _time(query: QueryDict, name: str) -> str | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    if not TIME.match(raw):
        raise BadParameter(name, f"“{name}” must be a time like 09:30 or 09:30:00.")
    return raw[:5]


def _day(query: QueryDict) -> int | None:
    raw = query.get("day", "").strip().lower()
    if not raw:
        return None
    for index, (code, name) in enumerate(zip(mapping.BYDAY, DAY_NAMES, strict=True)):
        if raw in (code.lower(), name):
            return index
    raise BadParameter("day", "“day” must be a day like MO or Monday.")


def _datetime(query: QueryDict, name: str) -> datetime.datetime | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(name, f"“{name}” must be a date and time like 2024-05-01T09:00:00Z.")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# Reading.


def _public_assets() -> QuerySet[Asset]:
    # Open data is the same for everyone: a moderator calling the API must not get private rows.
    return asset_list(user=AnonymousUser())


def _category_by_term_id(term_id: uuid.UUID) -> Category | None:
    return next((c for c in category_list() if mapping.category_id(c) == str(term_id)), None)


def _open_at(
    asset_hours: list[dict[str, Any]], *, day: int | None, start: str | None, end: str | None
) -> bool:
    return any(
        (day is None or item["day"] == day)
        and (start is None or item["opens"] >= start)
        and (end is None or item["closes"] <= end)
        for item in asset_hours
    )


def _filtered_assets(query: QueryDict, *, with_postcode: bool) -> QuerySet[Asset]:
    """Public assets matching the list filters the UK profile defines for services."""
    text = query.get("search", "").strip() or query.get("text", "").strip()
    term_id = _uuid(query, "taxonomy_term_id")
    taxonomy_id = _uuid(query, "taxonomy_id")
    modified_after = _datetime(query, "modified_after")
    day, start, end = _day(query), _time(query, "start_time"), _time(query, "end_time")
    # Validated so that a typo is reported, but not applied: assets record no age limits.
    _number(query, "minimum_age")
    _number(query, "maximum_age")
    if with_postcode and (query.get("postcode", "").strip() or query.get("proximity", "").strip()):
        raise BadParameter("postcode", "Searching by postcode is not available here yet.")

    category = _category_by_term_id(term_id) if term_id is not None else None
    if term_id is not None and category is None:
        return Asset.objects.none()
    assets = asset_list(user=AnonymousUser(), category=category)
    if taxonomy_id is not None:
        if taxonomy_id != mapping.TAXONOMY_ID:
            return Asset.objects.none()
        categorised = Asset.categories.through.objects.values("asset_id")
        assets = assets.filter(pk__in=categorised)
    if text:
        # Not the selector's `q`: that also matches addresses, and a sensitive asset's street
        # must not be findable by searching for it.
        assets = assets.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(address__icontains=text, sensitive=False)
        )
    if modified_after is not None:
        assets = assets.filter(modified__gte=modified_after)
    if (day, start, end) != (None, None, None):
        open_ids = [
            pk
            for pk, hours in assets.values_list("pk", "opening_hours")
            if _open_at(hours, day=day, start=start, end=end)
        ]
        assets = assets.filter(pk__in=open_ids)
    return assets


def _page(
    query: QueryDict, items: QuerySet | Sequence, to_json: Callable[[Any], dict[str, Any]]
) -> JsonResponse:
    """The UK profile's pagination envelope around one page of items."""
    page = _integer(query, "page", 1)
    per_page = _integer(query, "per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    total = items.count() if isinstance(items, QuerySet) else len(items)
    total_pages = math.ceil(total / per_page)
    contents = [to_json(item) for item in items[(page - 1) * per_page : page * per_page]]
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page,
            "size": len(contents),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not contents,
            "contents": contents,
        }
    )


def _asset_by_service_at_location_id(wanted: str) -> Asset | None:
    # The id is a uuid5 of the asset's uuid, so it is found by deriving it for each public asset.
    assets = _public_assets()
    for asset_uuid in assets.values_list("uuid", flat=True):
        if mapping.service_at_location_id(asset_uuid) == wanted:
            return assets.filter(uuid=asset_uuid).first()
    return None


def _path_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


# Views.


@api_view
def api_root(request: HttpRequest) -> HttpResponse:
    return JsonResponse(mapping.api_meta())


@api_view
def service_list(request: HttpRequest) -> HttpResponse:
    assets = _filtered_assets(request.GET, with_postcode=False)
    return _page(request.GET, assets, mapping.service_summary)


@api_view
def service_detail(request: HttpRequest, item_id: str) -> HttpResponse:
    wanted = _path_uuid(item_id)
    asset = _public_assets().filter(uuid=wanted).first() if wanted else None
    if asset is None:
        return _not_found("service")
    return JsonResponse(mapping.service_full(asset))


@api_view
def service_at_location_list(request: HttpRequest) -> HttpResponse:
    assets = _filtered_assets(request.GET, with_postcode=True)
    return _page(request.GET, assets, mapping.service_at_location_summary)


@api_view
def service_at_location_detail(request: HttpRequest, item_id: str) -> HttpResponse:
    wanted = _path_uuid(item_id)
    asset = _asset_by_service_at_location_id(wanted) if wanted else None
    if asset is None:
        return _not_found("service at location")
    return JsonResponse(mapping.service_at_location_full(asset))


@api_view
def taxonomy_list(request: HttpRequest) -> HttpResponse:
    return _page(request.GET, [None], lambda _: mapping.taxonomy())


@api_view
def taxonomy_detail(request: HttpRequest, item_id: str) -> HttpResponse:
    if _path_uuid(item_id) != str(mapping.TAXONOMY_ID):
        return _not_found("taxonomy")
    return JsonResponse(mapping.taxonomy(terms=category_list()))


@api_view
def taxonomy_term_list(request: HttpRequest) -> HttpResponse:
    return _page(request.GET, category_list(), mapping.taxonomy_term)


@api_view
def taxonomy_term_detail(request: HttpRequest, item_id: str) -> HttpResponse:
    wanted = _path_uuid(item_id)
    category = _category_by_term_id(uuid.UUID(wanted)) if wanted else None
    if category is None:
        return _not_found("taxonomy term")
    return JsonResponse(mapping.taxonomy_term(category))
