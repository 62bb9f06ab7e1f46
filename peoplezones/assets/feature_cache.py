"""A cache of the asset map's public answers, never stale, shared in meaning across processes.

An anonymous `GET /api/v1/assets` answer depends only on the query, on where it was asked (for
the absolute `next`/`previous` links) and on the public asset data. Answers are kept in the
`asset_map` cache (config/settings.py; per process unless configured otherwise) under a key
made of all three, the data part being `PublicDataVersion`'s token: every write of asset data
gives it a new token in the writer's own transaction, so after a change no process finds an old
answer under the new key. Every process reads the token from the database, one indexed
one-row query per request; that read is what makes a per-process cache safe with several
workers.

What changes the token: `Asset` saves, deletes and bulk writes (its queryset), category links,
flags (under review), categories (slugs, order) and zones (slugs), including the admin's
edits, through the signal receivers below. Not seen: raw SQL and bulk writes of those other
models (`Flag.objects.bulk_create`, say): call `PublicDataVersion.bump()` after them. Even then
an answer is not kept longer than the cache's TIMEOUT.

Race: the token is read before the data. A reader that reads the old token and then data
committed just after stores newer data under the old key, which no one asks for again; the
reverse (old data under the new token) cannot happen, because the new token becomes visible in
the same commit as the data.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import get_script_prefix
from django.utils.cache import patch_vary_headers

from peoplezones.assets.models import Asset, Category, Flag, PublicDataVersion

CACHE_ALIAS = "asset_map"
JSON = "application/json; charset=utf-8"
# Anyone may keep an answer but must ask again before using it; the ETag makes asking cheap.
CACHE_CONTROL = "public, no-cache"


def cached_json(
    request: HttpRequest, *, query: dict[str, Any], build: Callable[[str | None], bytes]
) -> HttpResponse:
    """The JSON answer for an anonymous request: from the cache, or `build(version)` and keep it.

    `query` is the request's validated parameters; `build` gets the data version read here (or
    None), for `feature_index`. Answers `304 Not Modified` to a matching `If-None-Match` without
    reading anything but the token. Errors raised by `build` (a 400) are never cached.
    """
    version = PublicDataVersion.current()  # first: see the race note above
    if version is None:
        return json_response(build(None))
    key = _cache_key(request, query=query, version=version)
    etag = f'"{key}"'
    if etag in _etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
        patch_vary_headers(response, ["Authorization"])
    else:
        cache = caches[CACHE_ALIAS]
        body = cache.get(key)
        if body is None:
            body = build(version)
            cache.set(key, body)
        response = json_response(body)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


def json_response(body: bytes) -> HttpResponse:
    """A JSON answer; it differs by `Authorization` (the public and moderators see different
    assets), so shared caches must keep them apart."""
    response = HttpResponse(body, content_type=JSON)
    patch_vary_headers(response, ["Authorization"])
    return response


def _cache_key(request: HttpRequest, *, query: dict[str, Any], version: str) -> str:
    where = [request.scheme, request.get_host(), get_script_prefix(), request.path]
    text = json.dumps([version, where, query], sort_keys=True, default=str)
    return "assets:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


# --- What changes the public data ---------------------------------------------------------------


@receiver(post_save, sender=Asset, dispatch_uid="assets-version-asset-save")
def _asset_saved(sender: Any, instance: Asset, created: bool, using: str, **kwargs: Any) -> None:
    # An asset that neither was nor is public changes nothing the public sees: a new pending
    # contribution (they come from anyone) or an edit of one does not empty the cache or make
    # every process rebuild its index. Publishing one later is a save like any other.
    # `public_before_save` is set by `Asset.save()`; without it, change the version to be safe.
    if getattr(instance, "public_before_save", True) is False and not instance.is_public:
        return
    PublicDataVersion.bump(using=using)


@receiver(m2m_changed, sender=Asset.categories.through, dispatch_uid="assets-version-links")
def _asset_categories_changed(
    sender: Any, instance: Any, action: str, using: str, **kwargs: Any
) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Asset) and not instance.is_public:
        return
    PublicDataVersion.bump(using=using)


def _changed(sender: Any, using: str, **kwargs: Any) -> None:
    PublicDataVersion.bump(using=using)


for _label, _model in [("flag", Flag), ("category", Category), ("zone", "zones.Zone")]:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"assets-version-{_label}-save")
for _label, _model in [
    ("asset", Asset),
    ("flag", Flag),
    ("category", Category),
    ("zone", "zones.Zone"),
]:
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"assets-version-{_label}-delete")
