"""The public asset map held in memory, per process, for anonymous `GET /api/v1/assets`.

A map client sends a new `bbox` on every pan and zoom, so most of its questions have never been
asked before and the answer cache (`feature_cache`) cannot help them. This index answers them
without the database: every public asset's complete feature JSON (made by
`serializers.feature_texts`, exactly as a page built from the database says it), in the API's
order (name, then id), beside NumPy arrays of the zones and each category's members, and the
points that may be shown sorted by latitude. A box is two binary searches for its latitude
band and one comparison over the band's longitudes; the answer is the page's stored features
joined together.

Never stale, like the cache: the index is built for one `PublicDataVersion` token (and URL
prefix), and a request that reads another token rebuilds it before answering. So the first
anonymous request in each process after a change to the public data pays for one rebuild: a
few milliseconds for a programme's hundreds of assets, about a second at 100,000 (see
docs/performance.md); `ASSET_MAP_INDEX=0` turns the index off. Memory: about 0.8 KB per public
asset per process.

What it answers: anonymous questions without `q` (text search stays with the database, whose
case rules it would have to copy), any mix of `zone`, `category` and `bbox`. A moderator's
questions always go to the database: they see more than the public.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.urls import get_script_prefix

from peoplezones.assets.models import Asset, Category
from peoplezones.assets.selectors import asset_category_slugs, asset_list, category_with_descendants
from peoplezones.assets.serializers import collection_bytes, feature_texts

_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class FeatureIndex:
    """Every public asset in the API's order: parallel arrays, one position per asset."""

    key: tuple[str, str, str]  # (database alias, data version, URL prefix)
    features: list[bytes]  # complete public feature JSON, in the API's order
    zone_ids: np.ndarray  # int64 per position; -1 where the asset is in no zone
    category_members: dict[int, np.ndarray]  # category id -> positions of its assets
    # The assets a box may find (not sensitive, with a point), sorted by latitude: their
    # latitudes, longitudes and positions.
    latitudes: np.ndarray  # float64, ascending
    longitudes: np.ndarray  # float64
    located: np.ndarray  # int64 positions

    def __len__(self) -> int:
        return len(self.features)

    def select(
        self,
        *,
        zone_id: int | None = None,
        category_ids: list[int] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> np.ndarray:
        """The positions of the assets that match (as `asset_list`), in no particular order:
        `page_bytes` puts only the page's in the API's order."""
        if bbox is None:
            positions = np.arange(len(self), dtype=np.int64)
        else:
            # The public never sees a sensitive asset's point, so never finds it by one: those
            # are not among the located assets.
            min_lon, min_lat, max_lon, max_lat = bbox
            start = np.searchsorted(self.latitudes, min_lat, side="left")
            stop = np.searchsorted(self.latitudes, max_lat, side="right")
            longitudes = self.longitudes[start:stop]
            inside = (longitudes >= min_lon) & (longitudes <= max_lon)
            positions = self.located[start:stop][inside]
        if zone_id is not None:
            positions = positions[self.zone_ids[positions] == zone_id]
        if category_ids is not None:
            in_category = np.zeros(len(self), dtype=bool)
            for category_id in category_ids:
                in_category[self.category_members.get(category_id, _EMPTY)] = True
            positions = positions[in_category[positions]]
        return positions

    def page_bytes(
        self, *, positions: np.ndarray, page: int, page_size: int, link: Callable[[int], str]
    ) -> bytes:
        """One page of those positions as the API's FeatureCollection (see
        `serializers.asset_feature_page`, which answers the same from the database)."""
        offset = (page - 1) * page_size
        count = len(positions)
        end = min(offset + page_size, count)
        if end < count:
            # Only the first `end` in the API's order are needed: a partial sort. (A whole
            # town's box matches ~26,000 assets for a page of 500.)
            positions = np.partition(positions, end - 1)[:end]
        page_positions = np.sort(positions)[offset:end].tolist()
        chosen: Sequence[bytes] = (
            operator.itemgetter(*page_positions)(self.features)
            if len(page_positions) > 1
            else [self.features[i] for i in page_positions]
        )
        return collection_bytes(
            features=chosen,
            count=count,
            next_url=link(page + 1) if offset + len(chosen) < count else None,
            previous_url=link(page - 1) if page > 1 else None,
        )


_lock = threading.Lock()
_current: FeatureIndex | None = None


def feature_index(*, version: str, using: str = "default") -> FeatureIndex:
    """The index for this data version, built now if this process does not hold it yet.

    `version` must have been read (`PublicDataVersion.current()`) before this call reads any
    data: see the race note in `feature_cache`.
    """
    global _current
    key = (using, version, get_script_prefix())
    index = _current
    if index is not None and index.key == key:
        return index
    with _lock:  # one build at a time, should a process serve requests on threads
        index = _current
        if index is None or index.key != key:
            index = build_index(key=key)
            _current = index
    return index


def forget() -> None:
    """Drop this process's index (tests; the next request builds it again)."""
    global _current
    _current = None


def build_index(*, key: tuple[str, str, str]) -> FeatureIndex:
    """Read every public asset (four queries) and make the index."""
    rows = list(
        asset_list(user=AnonymousUser())
        .prefetch_related(None)
        .values_list(
            "pk",
            "public_feature",
            "zone__slug",
            "under_review",
            "latitude",
            "longitude",
            "sensitive",
            "zone_id",
        )
    )
    texts = feature_texts([row[:4] for row in rows], slugs=asset_category_slugs(asset_ids=None))
    position = {row[0]: i for i, row in enumerate(rows)}
    members: dict[int, list[int]] = {}
    for category_id, asset_id in Asset.categories.through.objects.values_list(
        "category_id", "asset_id"
    ):
        if asset_id in position:
            members.setdefault(category_id, []).append(position[asset_id])
    located = [
        (row[4], row[5], i)
        for i, row in enumerate(rows)
        if not row[6] and row[4] is not None and row[5] is not None
    ]
    located.sort()
    return FeatureIndex(
        key=key,
        features=[text.encode() for text in texts],
        zone_ids=np.array([-1 if row[7] is None else row[7] for row in rows], dtype=np.int64),
        category_members={
            category_id: np.array(sorted(found), dtype=np.int64)
            for category_id, found in members.items()
        },
        latitudes=np.array([point[0] for point in located], dtype=np.float64),
        longitudes=np.array([point[1] for point in located], dtype=np.float64),
        located=np.array([point[2] for point in located], dtype=np.int64),
    )


def answer(
    *,
    version: str,
    zone: Any,
    category: Category | None,
    bbox: tuple[float, float, float, float] | None,
    page: int,
    page_size: int,
    link: Callable[[int], str],
) -> bytes:
    """The public's answer to `GET /api/v1/assets` without `q`, from the index."""
    index = feature_index(version=version)
    positions = index.select(
        zone_id=None if zone is None else zone.pk,
        category_ids=None if category is None else category_with_descendants(category),
        bbox=bbox,
    )
    return index.page_bytes(positions=positions, page=page, page_size=page_size, link=link)
