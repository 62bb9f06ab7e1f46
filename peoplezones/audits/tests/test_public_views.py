import io

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from peoplezones.audits.models import Issue, IssueSubscription
from peoplezones.audits.tests.factories import IssueCategoryFactory, IssueFactory

FORM = {
    "latitude": "52.638",
    "longitude": "-1.185",
    "description": "The lamp by the alley is out",
    "reporter_name": "Pat Private",
    "reporter_email": "pat.private@example.net",
    "reporter_phone": "07700 900456",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def light(db):
    return IssueCategoryFactory(
        code="street-light-t",
        name="Street light",
        icon="street-light",
        extra_attributes=[
            {
                "code": "fault",
                "label": "What is wrong with the light?",
                "type": "choice",
                "choices": ["Light is out", "Flickering"],
                "required": True,
            }
        ],
    )


def _url(category):
    return reverse("audits:report") + f"?category={category.code}"


def test_step_one_shows_picture_tiles(client, light):
    content = client.get(reverse("audits:report")).content.decode()

    assert "street-light.svg" in content
    assert f"?category={light.code}" in content


def test_report_with_email_is_unconfirmed_and_private(
    client, light, zone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(light), {**FORM, "attr_fault": "Light is out"})

    assert response.status_code == 200
    issue = Issue.objects.get()
    assert issue.state == "unconfirmed"
    assert issue.attributes == {"fault": "Light is out"}
    assert client.get(issue.get_absolute_url()).status_code == 404
    link = next(line for line in mail.outbox[0].body.splitlines() if "/confirm/" in line)
    client.get(link.replace("http://127.0.0.1:8000", ""))
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "The lamp by the alley is out" in page
    for private in ("Pat Private", "pat.private@example.net", "07700 900456"):
        assert private not in page
    assert "by a resident" in page


def test_missing_answer_keeps_what_was_typed(client, light):
    response = client.post(_url(light), FORM)

    content = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in content
    assert "The lamp by the alley is out" in content
    assert "pat.private@example.net" in content
    assert not Issue.objects.exists()


def test_nearby_open_reports_are_offered_before_saving(client, light):
    existing = IssueFactory(category=light, latitude=52.6381, longitude=-1.1851)

    first = client.post(_url(light), {**FORM, "attr_fault": "Light is out"})

    content = first.content.decode()
    assert "Is it one of these?" in content
    assert reverse("audits:issue-support", kwargs={"pk": existing.pk}) in content
    assert Issue.objects.count() == 1
    second = client.post(
        _url(light), {**FORM, "attr_fault": "Light is out", "checked_nearby": "on"}
    )
    assert second.status_code == 200
    assert Issue.objects.count() == 2


def test_me_too_adds_support(client, light):
    issue = IssueFactory(category=light)

    client.post(reverse("audits:issue-support", kwargs={"pk": issue.pk}))

    issue.refresh_from_db()
    assert issue.support_count == 1


def test_photo_is_stripped_of_gps(client, light, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = Image.new("RGB", (400, 300), "grey")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 38.0, 0.0), 3: "W", 4: (1.0, 11.0, 0.0)}
    data = io.BytesIO()
    image.save(data, format="JPEG", exif=exif)
    photo = SimpleUploadedFile("lamp.jpg", data.getvalue(), content_type="image/jpeg")

    client.post(
        _url(light), {**FORM, "reporter_email": "", "attr_fault": "Flickering", "photo": photo}
    )

    stored = Issue.objects.get().photos.get()
    with Image.open(stored.image.path) as saved:
        assert not saved.getexif()
        assert not saved.getexif().get_ifd(0x8825)


def test_honeypot_saves_nothing(client, light):
    client.post(_url(light), {**FORM, "attr_fault": "Flickering", "nickname": "spam"})

    assert not Issue.objects.exists()


def test_zone_issue_list_and_points_show_public_issues_only(client, zone, light):
    IssueFactory(category=light, zone=zone, description="Visible")
    IssueFactory(category=light, zone=zone, state="unconfirmed", description="Not yet")
    IssueFactory(category=light, zone=zone, state="hidden", description="Hidden")

    page = client.get(reverse("audits:zone-issues", kwargs={"slug": zone.slug})).content.decode()
    points = client.get(reverse("audits:issue-points"), {"zone": zone.slug}).json()["points"]

    assert "1 problem" in page
    assert len(points) == 1


def test_follow_confirm_and_one_click_unsubscribe(
    client, light, django_capture_on_commit_callbacks
):
    issue = IssueFactory(category=light)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("audits:issue-follow", kwargs={"pk": issue.pk}), {"email": "f@example.net"}
        )
    subscription = IssueSubscription.objects.get()
    client.get(reverse("audits:subscription-confirm", kwargs={"token": subscription.token}))
    subscription.refresh_from_db()
    assert subscription.confirmed

    response = client.get(reverse("audits:unsubscribe", kwargs={"token": subscription.token}))
    assert "no more emails" in response.content.decode()
    assert not IssueSubscription.objects.exists()


def test_follow_with_a_bad_email_is_explained(client, light):
    issue = IssueFactory(category=light)

    response = client.post(
        reverse("audits:issue-follow", kwargs={"pk": issue.pk}), {"email": "nope"}
    )

    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()


def test_zone_page_links_to_reporting(client, zone):
    content = client.get(zone.get_absolute_url()).content.decode()

    assert reverse("audits:zone-issues", kwargs={"slug": zone.slug}) in content


def test_photo_location_suggests_the_pin_from_gps_and_stores_nothing(
    client, db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    image = Image.new("RGB", (40, 30), "grey")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 46.0, 21.0), 3: "W", 4: (1.0, 11.0, 33.0)}
    data = io.BytesIO()
    image.save(data, format="JPEG", exif=exif)

    with_gps = client.post(
        reverse("audits:photo-location"),
        {"photo": SimpleUploadedFile("a.jpg", data.getvalue(), content_type="image/jpeg")},
    ).json()
    without = client.post(
        reverse("audits:photo-location"),
        {"photo": SimpleUploadedFile("b.txt", b"hello", content_type="text/plain")},
    ).json()
    missing = client.post(reverse("audits:photo-location"), {})

    assert round(with_gps["lat"], 3) == 52.773
    assert round(with_gps["lon"], 3) == -1.193
    assert without == {}
    assert missing.status_code == 400
    assert list(tmp_path.iterdir()) == []


def test_a_report_sent_twice_with_the_same_client_id_is_saved_once(client, light):
    data = {
        **FORM,
        "reporter_email": "",
        "attr_fault": "Flickering",
        "client_report_id": "6f1c1d7e-7d7b-4a55-9a3e-0b9f3f0c2a11",
    }

    first = client.post(_url(light), data)
    second = client.post(_url(light), data)

    assert first.status_code == second.status_code == 200
    assert Issue.objects.count() == 1
    assert "Thank you for your report" in second.content.decode()
    assert "Is it one of these?" not in second.content.decode()


def test_a_known_postcode_places_the_report_when_there_is_no_pin(client, light):
    from peoplezones.assets.tests.factories import AssetFactory

    AssetFactory(postcode="LE3 9PW", latitude=52.6385, longitude=-1.1855)
    data = {
        **FORM,
        "latitude": "",
        "longitude": "",
        "postcode": "le3 9pw",
        "reporter_email": "",
        "attr_fault": "Flickering",
    }

    response = client.post(_url(light), data)

    assert response.status_code == 200
    issue = Issue.objects.get()
    assert (issue.latitude, issue.longitude) == (52.6385, -1.1855)


def test_no_pin_and_no_known_postcode_is_explained(client, light):
    data = {
        **FORM,
        "latitude": "",
        "longitude": "",
        "postcode": "ZZ9 9ZZ",
        "attr_fault": "Flickering",
    }

    response = client.post(_url(light), data)

    assert response.status_code == 400
    assert "Show us where it is" in response.content.decode()
    assert "ZZ9 9ZZ" in response.content.decode()
    assert not Issue.objects.exists()
