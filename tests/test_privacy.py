"""Personal details never reach public pages, the public API, open data or standard feeds.

The demo data is loaded, then given distinctive private details (contributors of assets,
reporters of issues, people with accounts); every public address is fetched anonymously and
none of those details may appear in any answer.
"""

import io

import pytest
from django.core.management import call_command

from peoplezones.accounts.models import User
from peoplezones.assets.models import Asset, Flag
from peoplezones.audits.models import Issue
from peoplezones.grants.models import Application, Award, GrantRound

SECRETS = [
    "Secret Contributor",
    "secret.contributor@private.example.net",
    "Secret Reporter",
    "secret.reporter@private.example.net",
    "07700 900999",
    "flag.reporter@private.example.net",
    "Secret Applicant",
    "secret.applicant@private.example.net",
    "07700 900888",
]

PUBLIC_URLS = [
    "/",
    "/zones/new-parks/",
    "/zones/bell-foundry/",
    "/zones/new-parks/boundary.geojson",
    "/accessibility/",
    "/privacy/",
    "/map/",
    "/zones/bell-foundry/map/",
    "/assets/map-points.json?zone=bell-foundry",
    "/zones/bell-foundry/events/",
    "/zones/bell-foundry/events.ics",
    "/zones/bell-foundry/assets.csv",
    "/zones/bell-foundry/assets.geojson",
    "/zones/bell-foundry/assets.kml",
    "/assets/export.csv",
    "/openreferral/services",
    "/openreferral/service_at_locations",
    "/zones/bell-foundry/issues/",
    "/audits/bell-foundry-lighting/",
    "/issues/points.json?zone=bell-foundry",
    "/api/v1/zones",
    "/api/v1/zones/thringstone-whitwick",
    "/api/v1/assets?page_size=500",
    "/api/v1/events",
    "/api/v1/issues?page_size=500",
    "/api/v1/openapi.json",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
    "/grants/",
    "/grants/funding/",
    "/grants/zones/new-parks/",
    "/grants/awards/",
    "/grants/360giving.json",
    "/grants/360giving.csv",
    "/api/v1/grants/rounds",
    "/api/v1/grants/awards",
]


@pytest.fixture
def demo_with_secrets(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    Asset.objects.update(
        contributor_name="Secret Contributor",
        contributor_email="secret.contributor@private.example.net",
    )
    Flag.objects.create(
        asset=Asset.objects.first(),
        reason="wrong",
        reporter_email="flag.reporter@private.example.net",
    )
    Application.objects.update(
        contact_name="Secret Applicant",
        contact_email="secret.applicant@private.example.net",
        contact_phone="07700 900888",
    )
    Issue.objects.update(
        reporter_name="Secret Reporter",
        reporter_email="secret.reporter@private.example.net",
        reporter_phone="07700 900999",
    )


def test_public_answers_carry_no_personal_details(client, demo_with_secrets):
    # One demo load for every address: loading it per address would make this slow.
    emails = list(User.objects.values_list("email", flat=True))
    problems = []
    for url in PUBLIC_URLS:
        response = client.get(url)
        content = response.content.decode()
        if response.status_code != 200:
            problems.append(f"{url}: status {response.status_code}")
        problems += [f"{url}: shows {s!r}" for s in [*SECRETS, *emails] if s in content]

    assert problems == []


def test_public_issue_and_asset_pages_carry_no_personal_details(client, demo_with_secrets):
    for issue in Issue.objects.exclude(state__in=["unconfirmed", "hidden"])[:5]:
        content = client.get(issue.get_absolute_url()).content.decode()
        assert not any(secret in content for secret in SECRETS)
    for asset in Asset.objects.filter(status="published")[:5]:
        content = client.get(asset.get_absolute_url()).content.decode()
        assert not any(secret in content for secret in SECRETS)


def test_public_grant_pages_carry_no_applicant_details(client, demo_with_secrets):
    pages = [grant_round.get_absolute_url() for grant_round in GrantRound.objects.all()]
    pages += [f"{url}funding/" for url in pages]
    pages += [award.get_absolute_url() for award in Award.objects.all()]
    assert len(pages) > 15
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert not any(secret in content for secret in SECRETS), url
