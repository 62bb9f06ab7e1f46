"""What a web process does once, before its first request.

Django imports the URL configuration, and with it every view, API router and the libraries
they use (NumPy, SciPy, pyproj, ...), on the first request. `load_and_freeze` does that at
start-up instead and then moves every object alive at that point into the garbage collector's
permanent generation (`gc.freeze`). Those objects live as long as the process anyway; frozen,
they are no longer traversed by each full collection. Without it a full collection in a
worker walks a few hundred thousand start-up objects (SciPy's alone make it ~40 ms on the
platform's 2-core machine) and lands in the middle of whichever request triggered it: that is
most of the platform's slowest responses (see docs/performance.md, grants tables).
"""

import gc

from django.urls import get_resolver


def load_and_freeze() -> int:
    """Import every view now and freeze what is alive; returns how many objects were frozen."""
    get_resolver().url_patterns  # noqa: B018 (imports the URL configuration and its views)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
