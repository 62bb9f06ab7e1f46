from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if not code.startswith("en")]


@pytest.mark.parametrize("language", TRANSLATED)
def test_languages_not_fully_translated_are_marked_partial(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))

    if catalogue.percent_translated() < 100:
        assert language in settings.PARTIAL_TRANSLATIONS


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    source = {
        e.msgid: e.msgstr for e in polib.pofile(str(folder / "django.po")).translated_entries()
    }
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(folder / "django.mo")) if e.msgid}

    assert compiled == source, "run `make messages` to recompile the translations"


def test_urdu_page_is_right_to_left_and_says_it_is_partial(client, db):
    client.post(reverse("set_language"), {"language": "ur", "next": "/"})

    content = client.get("/").content.decode()

    assert '<html lang="ur" dir="rtl"' in content
    assert "app.rtl.css" in content
    assert "یہ ترجمہ ابھی مکمل نہیں ہوا" in content


def test_polish_page_is_left_to_right(client, db):
    client.post(reverse("set_language"), {"language": "pl", "next": "/"})

    content = client.get("/").content.decode()

    assert '<html lang="pl" dir="ltr"' in content
    assert "Zmień język" in content


def test_english_page_has_no_partial_translation_notice(client, db):
    content = client.get("/").content.decode()

    assert '<html lang="en-gb" dir="ltr"' in content
    assert "pz-notice--partial-translation" not in content
