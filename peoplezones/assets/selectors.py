"""Reads of the asset map, scoped to what the acting user may see."""

import datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from peoplezones.assets.models import PUBLIC_ASSETS, Asset, AssetChange, Category, Event, Flag
from peoplezones.assets.permissions import can_moderate_assets
from peoplezones.assets.recurrence import Occurrence, occurrences

EVENT_HORIZON_DAYS = 90


def category_with_descendants(category: Category) -> list[int]:
    """The ids of a category and every category below it in the tree."""
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(
            Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def category_list() -> QuerySet[Category]:
    """Every category, parents before children, with the parent loaded."""
    return Category.objects.select_related("parent").order_by("order", "name")


PUBLIC = PUBLIC_ASSETS


def public_assets() -> QuerySet[Asset]:
    """What anyone may see: published, not hidden, and never people's own skills."""
    return Asset.objects.filter(PUBLIC)


def _with_details(assets: QuerySet[Asset]) -> QuerySet[Asset]:
    # Lists load many assets: leave out the zone's boundary (a large JSON document) and the
    # category tree join, which pages and feeds of assets do not use.
    return (
        assets.annotate(
            under_review=Exists(Flag.objects.filter(asset=OuterRef("pk"), status=Flag.Status.OPEN))
        )
        .select_related("zone")
        .defer("zone__boundary", "zone__description")
        .prefetch_related(
            Prefetch(
                "categories",
                queryset=Category.objects.only(
                    "id", "slug", "name", "colour", "parent_id", "order"
                ).order_by("order", "name"),
            )
        )
    )


def asset_list(
    *,
    user: Any,
    zone: Any = None,
    category: Category | None = None,
    q: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet[Asset]:
    """Assets this user may see, filtered, each with `under_review` and its categories.

    The public sees published assets only. A bbox matches exact points, so sensitive assets
    (whose points are never public) are left out of bbox results for the public.
    """
    moderator = can_moderate_assets(user)
    assets = Asset.objects.all() if moderator else public_assets()
    if moderator and statuses:
        assets = assets.filter(status__in=statuses)
    if zone is not None:
        assets = assets.filter(zone=zone)
    if category is not None:
        through = Asset.categories.through.objects.filter(
            category_id__in=category_with_descendants(category)
        )
        assets = assets.filter(pk__in=through.values("asset_id"))
    if q:
        # A sensitive asset's address is never public, so the public cannot search by it either.
        address = Q(address__icontains=q) if moderator else Q(address__icontains=q, sensitive=False)
        assets = assets.filter(Q(name__icontains=q) | Q(description__icontains=q) | address)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        assets = assets.filter(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
        if not moderator:
            assets = assets.filter(sensitive=False)
    return _with_details(assets).order_by("name", "pk")


def asset_get(*, user: Any, pk: int) -> Asset:
    """One asset this user may see (owners also see their own in any state); else DoesNotExist."""
    if can_moderate_assets(user):
        visible = Q()
    elif getattr(user, "is_authenticated", False):
        visible = PUBLIC | Q(owner=user)
    else:
        visible = PUBLIC
    return _with_details(Asset.objects.filter(visible)).prefetch_related("photos").get(pk=pk)


def asset_category_slugs(*, asset_ids: list[int] | None) -> dict[int, list[str]]:
    """Each asset's category slugs in taxonomy order, for many assets (None: all) in one query."""
    if asset_ids is not None and not asset_ids:
        return {}
    # Plain SQL: for a page of 500 ids the ORM's handling of the IN list and of each row cost
    # three to four times the query itself; on PostgreSQL one array parameter also spares
    # psycopg parsing 500 placeholders. Names come from the models, values are parameters.
    quote = connection.ops.quote_name
    links = Asset.categories.through._meta
    asset_id = quote(links.get_field("asset").column)
    category_id = quote(links.get_field("category").column)
    slug, order, name = (
        quote(Category._meta.get_field(f).column) for f in ("slug", "order", "name")
    )
    if asset_ids is None:
        where, params = "", []
    elif connection.vendor == "postgresql":
        where, params = f"WHERE l.{asset_id} = ANY(%s)", [list(asset_ids)]
    else:
        placeholders = ", ".join(["%s"] * len(asset_ids))
        where, params = f"WHERE l.{asset_id} IN ({placeholders})", list(asset_ids)
    sql = (
        f"SELECT l.{asset_id}, c.{slug} FROM {quote(links.db_table)} l "  # noqa: S608
        f"JOIN {quote(Category._meta.db_table)} c ON c.{quote(Category._meta.pk.column)} = "
        f"l.{category_id} {where} ORDER BY c.{order}, c.{name}"
    )
    slugs: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, category_slug in cursor.fetchall():
            slugs.setdefault(pk, []).append(category_slug)
    return slugs


def asset_page_rows(
    *, assets: QuerySet[Asset], offset: int, limit: int
) -> tuple[list[tuple[int, str, str | None, bool]], int]:
    """One page of `asset_list(...)` as (id, stored public feature, zone slug, under review)
    rows, and how many assets there are in all.

    Plain rows, not model instances: building ~500 instances cost more than the query. The
    count is a second query only when the page does not tell it (a full page, or an empty page
    past the first).
    """
    rows = list(
        assets.prefetch_related(None).values_list(
            "pk", "public_feature", "zone__slug", "under_review"
        )[offset : offset + limit]
    )
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)
    return rows, assets.count()


def owned_asset_list(*, user: Any) -> QuerySet[Asset]:
    """The assets a signed-in person added or looks after, in any state."""
    if not getattr(user, "is_authenticated", False):
        return Asset.objects.none()
    return Asset.objects.filter(owner=user).order_by("name")


def asset_map_points(*, assets: QuerySet[Asset]) -> list[dict[str, Any]]:
    """A compact list of the points of these assets for the map, coloured by top category.

    Sensitive assets are left out: their points are never public. Three queries in all.
    """
    assets = assets.filter(sensitive=False).order_by()
    categories = {c.pk: c for c in Category.objects.only("id", "slug", "colour", "parent_id")}
    top_category: dict[int, Category] = {}
    links = (
        Asset.categories.through.objects.filter(asset__in=assets.values("pk"))
        .order_by("category__order", "category__name")
        .values_list("asset_id", "category_id")
    )
    for asset_id, category_id in links:
        category = categories[category_id]
        top_category.setdefault(asset_id, categories.get(category.parent_id, category))
    points = []
    for pk, name, lat, lon in assets.values_list("pk", "name", "latitude", "longitude"):
        top = top_category.get(pk)
        points.append(
            {
                "id": pk,
                "name": name,
                "lat": lat,
                "lon": lon,
                "category": top.slug if top else "",
                "colour": top.colour if top else "#505a5f",
            }
        )
    return points


def postcode_point(*, postcode: str) -> tuple[float, float] | None:
    """Where a postcode is, from the published assets that have it (or its district).

    The platform works offline, so it knows the postcodes of places on its own map; a
    postcode no asset has returns None and the page asks for a location instead.
    """
    compact = postcode.replace(" ", "").upper()
    if len(compact) < 5:
        return None
    outward, inward = compact[:-3], compact[-3:]
    known = public_assets().filter(sensitive=False)
    for found in (
        known.filter(postcode=f"{outward} {inward}"),
        known.filter(postcode__startswith=f"{outward} "),
    ):
        points = list(found.values_list("latitude", "longitude")[:200])
        if points:
            return (
                sum(lat for lat, _ in points) / len(points),
                sum(lon for _, lon in points) / len(points),
            )
    return None


def moderation_queue(*, user: Any) -> dict[str, QuerySet]:
    """What waits for a moderator: pending assets and events, open flags, suggested changes."""
    if not can_moderate_assets(user):
        return {
            "assets": Asset.objects.none(),
            "events": Event.objects.none(),
            "flags": Flag.objects.none(),
            "changes": AssetChange.objects.none(),
        }
    return {
        "assets": Asset.objects.filter(status=Asset.Status.PENDING)
        .select_related("zone")
        .prefetch_related("categories")
        .order_by("created"),
        "events": Event.objects.filter(status=Asset.Status.PENDING)
        .select_related("zone", "asset")
        .order_by("created"),
        "flags": Flag.objects.filter(status=Flag.Status.OPEN)
        .select_related("asset", "asset__zone")
        .order_by("created"),
        "changes": AssetChange.objects.filter(status=AssetChange.Status.PENDING)
        .select_related("asset", "asset__zone")
        .order_by("created"),
    }


def public_events() -> QuerySet[Event]:
    """Published events whose place, if an asset, is itself public."""
    return (
        Event.objects.filter(status=Asset.Status.PUBLISHED)
        .filter(Q(asset__isnull=True) | Q(asset__in=public_assets()))
        .select_related("asset", "zone")
    )


def upcoming_occurrences(
    *,
    user: Any,
    zone: Any = None,
    asset: Asset | None = None,
    now: datetime.datetime | None = None,
    days: int = EVENT_HORIZON_DAYS,
    limit: int | None = None,
) -> list[Occurrence]:
    """Occurrences from now on, soonest first; past ones drop off by themselves."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=days)
    events = public_events().filter(start__lt=horizon)
    events = events.filter(
        Q(recurrence=Event.Recurrence.NONE, end__gt=now)
        | (~Q(recurrence=Event.Recurrence.NONE) & Q(repeat_until__gte=now.date()))
    )
    if zone is not None:
        events = events.filter(zone=zone)
    if asset is not None:
        events = events.filter(asset=asset)
    found = [o for event in events for o in occurrences(event, after=now, before=horizon)]
    found.sort(key=lambda o: (o.start, o.event.title))
    return found[:limit] if limit else found


def event_get(*, user: Any, pk: int) -> Event:
    events = (
        Event.objects.select_related("asset", "zone")
        if can_moderate_assets(user)
        else public_events()
    )
    return events.get(pk=pk)
