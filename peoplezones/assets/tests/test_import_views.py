import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peoplezones.assets.models import Asset
from peoplezones.assets.views.imports import SESSION_KEY

HEADER = "name,categories,latitude,longitude,opening_hours\n"
GOOD = "Community fridge,food,52.6385,-1.1850,Mon 10:00-12:00\nChess club,,52.6400,-1.1820,\n"
BAD = "Swapped,,-1.1850,52.6385,\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(content, name="assets.csv"):
    data = content if isinstance(content, bytes) else content.encode()
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


def check(client, content, name="assets.csv"):
    return client.post(reverse("assets:import"), upload(content, name))


def confirm(client, response, **extra):
    return client.post(
        reverse("assets:import-confirm"), {"token": response.context["token"], **extra}
    )


def test_import_upload_sends_anonymous_people_to_sign_in(client):
    response = client.get(reverse("assets:import"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_import_upload_refuses_people_who_may_not_import(client, user):
    client.force_login(user)

    assert client.get(reverse("assets:import")).status_code == 403
    assert check(client, HEADER + GOOD).status_code == 403
    assert client.post(reverse("assets:import-confirm"), {"token": "x"}).status_code == 403
    assert not Asset.objects.exists()


def test_import_upload_shows_the_form(client, moderator):
    client.force_login(moderator)

    response = client.get(reverse("assets:import"))

    assert response.status_code == 200
    assert 'class="govuk-file-upload' in response.content.decode()


def test_import_upload_dry_run_reports_and_imports_nothing(client, zone, programme_team_user):
    client.force_login(programme_team_user)

    response = check(client, HEADER + GOOD + BAD)

    page = response.content.decode()
    assert response.status_code == 200
    assert not Asset.objects.exists()
    assert "govuk-error-summary" in page
    assert "Line 4:" in page
    assert "look swapped" in page
    assert "Community fridge" in page
    assert zone.name in page
    assert "skip the rows with problems" in page


def test_import_confirm_imports_and_publishes_the_checked_file(client, zone, moderator, media):
    client.force_login(moderator)
    checked = check(client, HEADER + GOOD)

    response = confirm(client, checked)

    assert response.status_code == 200
    assert "Imported and published 2 assets" in response.content.decode()
    fridge = Asset.objects.get(name="Community fridge")
    assert fridge.status == Asset.Status.PUBLISHED
    assert fridge.source == Asset.Source.IMPORTED
    assert fridge.zone == zone
    assert not list((media / "imports").iterdir())
    # The token is spent: confirming again imports nothing twice.
    again = confirm(client, checked)
    assert again.status_code == 400
    assert "expired" in again.content.decode()
    assert Asset.objects.count() == 2


def test_import_confirm_with_bad_rows_skips_them_only_when_asked(client, zone, moderator):
    client.force_login(moderator)
    checked = check(client, HEADER + GOOD + BAD)

    refused = confirm(client, checked)
    assert refused.status_code == 200
    assert not Asset.objects.exists()

    confirm(client, checked, skip_errors="1")
    assert Asset.objects.count() == 2


def test_import_upload_lists_duplicates(client, zone, moderator):
    client.force_login(moderator)
    confirm(client, check(client, HEADER + GOOD))

    response = check(client, HEADER + GOOD)

    page = response.content.decode()
    assert "Likely duplicates, not imported" in page
    assert "Same name within 100 m of an existing asset" in page
    assert "There is nothing in this file to import." in page


def test_import_confirm_says_when_the_upload_expired(client, zone, moderator):
    client.force_login(moderator)
    checked = check(client, HEADER + GOOD)
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "stored": time.time() - 2 * 60 * 60}
    session.save()

    response = confirm(client, checked)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Asset.objects.exists()


def test_import_confirm_refuses_another_sessions_token(client, zone, moderator, django_user_model):
    client.force_login(moderator)
    checked = check(client, HEADER + GOOD)
    client.logout()
    client.force_login(moderator)

    assert confirm(client, checked).status_code == 400
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("assets.csv", "Café,1,2\n".encode("cp1252"), "not UTF-8"),
        ("assets.xlsx", b"PK\x03\x04", "must be a .csv, .geojson or .json file"),
        ("assets.csv", b"", "The submitted file is empty."),
        ("assets.csv", b"name,colour\nA,red\n", "Unknown column: colour"),
        ("assets.json", b"{broken", "not valid JSON"),
    ],
)
def test_import_upload_refuses_bad_files_with_400(client, moderator, name, content, message):
    client.force_login(moderator)

    response = check(client, content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()


def test_import_upload_refuses_files_over_5_mb(client, moderator):
    client.force_login(moderator)

    response = check(client, HEADER + "x" * (5 * 1024 * 1024))

    assert response.status_code == 400
    assert "smaller than 5 MB" in response.content.decode()
