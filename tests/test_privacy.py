"""Personal details of people with accounts never reach public pages or the public API."""

import io

import pytest
from django.core.management import call_command

from peoplezones.accounts.models import User

PUBLIC_URLS = [
    "/",
    "/zones/new-parks/",
    "/zones/bell-foundry/",
    "/zones/new-parks/boundary.geojson",
    "/accessibility/",
    "/privacy/",
    "/api/v1/zones",
    "/api/v1/zones/thringstone-whitwick",
    "/api/v1/openapi.json",
]


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_and_api_show_no_names_or_emails(client, demo, url):
    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    for user in User.objects.all():
        assert user.email not in content
        assert user.full_name not in content
    assert "@example.org" not in content
