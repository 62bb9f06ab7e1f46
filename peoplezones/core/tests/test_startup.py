import gc
import sys

from peoplezones.core.startup import load_and_freeze


def test_start_up_imports_the_views_and_freezes_what_is_alive():
    gc.unfreeze()
    try:
        frozen = load_and_freeze()
        assert frozen > 10_000
        # Frozen objects are not looked at by collections (some may still be freed meanwhile).
        assert gc.get_freeze_count() > 10_000
        # The URL configuration, and with it the views of every app, is loaded.
        assert "peoplezones.grants.views.public" in sys.modules
        assert "peoplezones.assets.api" in sys.modules
        # Objects made afterwards are collected as usual.
        garbage = []
        garbage.append(garbage)
        del garbage
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
