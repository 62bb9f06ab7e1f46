import csv
import io
import re
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peoplezones.accounts.models import ZoneMembership
from peoplezones.accounts.tests.factories import ZoneMembershipFactory
from peoplezones.audits.models import Issue, IssuePhoto, Referral
from peoplezones.audits.referrals import COUNCIL_COLUMNS, referral_create
from peoplezones.audits.tests.factories import BodyFactory, IssueFactory
from peoplezones.zones.tests.factories import ZoneFactory

PRIVATE = ("Private Reporter", "private.reporter", "07700 900123")
LIST_PAGES = ["staff-queue", "staff-refer", "staff-walk", "staff-dashboard", "staff-export"]

# The smallest valid GIF: one transparent pixel.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@pytest.fixture
def issue(zone):
    return IssueFactory(zone=zone)


@pytest.fixture
def staff_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def referral(issue, programme_team_user):
    return referral_create(
        issues=[issue], body=BodyFactory(), method="csv", actor=programme_team_user
    )


def _officer(zone):
    return ZoneMembershipFactory(zone=zone, role=ZoneMembership.Role.ZONE_OFFICER).user


def _all_pages(issue, referral):
    return [reverse(f"audits:{name}") for name in LIST_PAGES] + [
        reverse("audits:staff-issue", kwargs={"pk": issue.pk}),
        reverse("audits:staff-referral", kwargs={"pk": referral.pk}),
    ]


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_staff_pages_send_anonymous_people_to_sign_in(client, issue, referral):
    for url in _all_pages(issue, referral):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_staff_pages_refuse_the_public(client, user, issue, referral):
    client.force_login(user)

    for url in _all_pages(issue, referral):
        assert client.get(url).status_code == 403, url


def test_staff_pages_refuse_a_zone_officer_of_another_zone(client, issue, referral):
    client.force_login(_officer(ZoneFactory()))

    assert client.get(reverse("audits:staff-issue", kwargs={"pk": issue.pk})).status_code == 403
    url = reverse("audits:staff-referral", kwargs={"pk": referral.pk})
    assert client.get(url).status_code == 403
    for name in ("staff-queue", "staff-dashboard", "staff-export", "staff-walk"):
        url = reverse(f"audits:{name}") + f"?zone={issue.zone.slug}"
        assert client.get(url).status_code == 403, name


def test_staff_pages_let_the_zone_officer_of_the_zone_in(client, issue, referral):
    client.force_login(_officer(issue.zone))

    waiting = IssueFactory(zone=issue.zone)
    elsewhere = IssueFactory(zone=ZoneFactory())

    for url in _all_pages(issue, referral):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("audits:staff-queue")).content.decode()
    assert reverse("audits:staff-issue", kwargs={"pk": waiting.pk}) in page
    assert reverse("audits:staff-issue", kwargs={"pk": elsewhere.pk}) not in page


def test_staff_pages_render_for_a_moderator(staff_client, issue, referral):
    for url in _all_pages(issue, referral):
        assert staff_client.get(url).status_code == 200, url


def test_staff_queue_links_each_issue_to_its_staff_page(staff_client, issue):
    unconfirmed = IssueFactory(zone=issue.zone, state=Issue.State.UNCONFIRMED)
    IssueFactory(zone=issue.zone, state=Issue.State.FIXED)

    page = staff_client.get(reverse("audits:staff-queue")).content.decode()

    for listed in (issue, unconfirmed):
        assert reverse("audits:staff-issue", kwargs={"pk": listed.pk}) in page
    assert page.count('name="issues"') == 2


def test_staff_queue_filters_by_state_and_zone(staff_client, issue):
    fixed = IssueFactory(zone=issue.zone, state=Issue.State.FIXED)
    elsewhere = IssueFactory(zone=ZoneFactory())

    page = staff_client.get(reverse("audits:staff-queue") + "?state=closed").content.decode()
    assert reverse("audits:staff-issue", kwargs={"pk": fixed.pk}) in page
    assert reverse("audits:staff-issue", kwargs={"pk": issue.pk}) not in page

    url = reverse("audits:staff-queue") + f"?zone={issue.zone.slug}"
    page = staff_client.get(url).content.decode()
    assert reverse("audits:staff-issue", kwargs={"pk": elsewhere.pk}) not in page


def test_staff_queue_rejects_unknown_filters(staff_client):
    response = staff_client.get(reverse("audits:staff-queue") + "?zone=nowhere")

    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_staff_queue_query_count_does_not_grow_with_issues(
    staff_client, zone, django_assert_max_num_queries
):
    for _ in range(20):
        IssueFactory(zone=zone)

    with django_assert_max_num_queries(15):
        response = staff_client.get(reverse("audits:staff-queue"))
    assert response.status_code == 200


def test_staff_issue_shows_private_details_and_internal_notes(staff_client, issue, moderator):
    staff_client.post(
        reverse("audits:staff-issue", kwargs={"pk": issue.pk}),
        {"form": "note", "note-text": "Called the reporter back."},
    )

    page = staff_client.get(reverse("audits:staff-issue", kwargs={"pk": issue.pk}))

    content = page.content.decode()
    assert issue.reporter_email in content
    assert "07700 900123" in content
    assert "Called the reporter back." in content
    assert "Internal" in content
    assert issue.updates.get().public is False


def test_staff_issue_offers_only_the_available_moves(staff_client, issue):
    content = staff_client.get(reverse("audits:staff-issue", kwargs={"pk": issue.pk})).content
    page = content.decode()

    assert 'value="investigate"' in page
    # Referring needs a body and a method: it is done on the refer page, not as a bare move.
    assert 'value="refer"' not in page
    assert 'value="confirm"' not in page
    assert 'value="reopen"' not in page


def test_staff_issue_schedule_needs_a_term(staff_client, issue):
    url = reverse("audits:staff-issue", kwargs={"pk": issue.pk})

    response = staff_client.post(url, {"form": "move", "move-action": "schedule"})

    assert response.status_code == 400
    assert "short, medium or long" in response.content.decode()
    issue.refresh_from_db()
    assert issue.state == Issue.State.OPEN

    response = staff_client.post(
        url,
        {
            "form": "move",
            "move-action": "schedule",
            "move-term": "long",
            "move-text": "In next year's programme.",
            "move-public": "on",
        },
    )

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.state == Issue.State.ACTION_SCHEDULED
    assert issue.term == "long"
    assert issue.updates.get().public is True


def test_staff_issue_confirms_an_unconfirmed_issue(staff_client, zone):
    unconfirmed = IssueFactory(zone=zone, state=Issue.State.UNCONFIRMED, confirmed_at=None)

    staff_client.post(
        reverse("audits:staff-issue", kwargs={"pk": unconfirmed.pk}),
        {"form": "move", "move-action": "confirm"},
    )

    unconfirmed.refresh_from_db()
    assert unconfirmed.state == Issue.State.OPEN
    assert unconfirmed.confirmed_at is not None


def test_staff_issue_marks_a_duplicate_by_number(staff_client, issue):
    original = IssueFactory(zone=issue.zone)
    url = reverse("audits:staff-issue", kwargs={"pk": issue.pk})

    response = staff_client.post(
        url, {"form": "move", "move-action": "duplicate", "move-duplicate_of": "999999"}
    )
    assert response.status_code == 400
    assert 'value="999999"' in response.content.decode()

    staff_client.post(
        url, {"form": "move", "move-action": "duplicate", "move-duplicate_of": str(original.pk)}
    )

    issue.refresh_from_db()
    assert issue.state == Issue.State.DUPLICATE
    assert issue.duplicate_of == original


def test_staff_issue_redaction_keeps_the_original(staff_client, client, issue):
    original = issue.description
    url = reverse("audits:staff-issue", kwargs={"pk": issue.pk})

    staff_client.post(url, {"form": "redact", "redact-description": "A street light is out."})

    issue.refresh_from_db()
    assert issue.description == "A street light is out."
    assert issue.original_description == original
    assert original in staff_client.get(url).content.decode()
    client.logout()
    public = client.get(reverse("audits:issue-detail", kwargs={"pk": issue.pk}))
    assert original not in public.content.decode()


def test_staff_issue_hides_and_shows_a_photo(staff_client, issue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = IssuePhoto(issue=issue, width=1, height=1)
    photo.image.save("pixel.gif", SimpleUploadedFile("pixel.gif", PIXEL), save=False)
    photo.save()
    url = reverse("audits:staff-issue", kwargs={"pk": issue.pk})

    staff_client.post(url, {"form": "photo", "photo": photo.pk, "public": "0"})
    photo.refresh_from_db()
    assert photo.public is False
    assert "Hidden from the public" in staff_client.get(url).content.decode()

    staff_client.post(url, {"form": "photo", "photo": photo.pk, "public": "1"})
    photo.refresh_from_db()
    assert photo.public is True


def test_staff_refer_as_csv_downloads_the_council_columns(staff_client, issue):
    body = BodyFactory()

    response = staff_client.post(
        reverse("audits:staff-refer"), {"issues": [issue.pk], "body": body.pk, "method": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert list(rows[0]) == COUNCIL_COLUMNS
    assert rows[0]["id"] == str(issue.pk)
    issue.refresh_from_db()
    assert issue.state == Issue.State.REFERRED


def test_staff_refer_by_email_sends_and_shows_the_referral(
    staff_client, issue, mailoutbox, django_capture_on_commit_callbacks
):
    body = BodyFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("audits:staff-refer"),
            {"issues": [issue.pk], "body": body.pk, "method": "email"},
            follow=True,
        )

    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "audits:staff-referral", kwargs={"pk": referral.pk}
    )
    assert body.name in response.content.decode()
    assert mailoutbox[0].to == [body.contact_email]


def test_staff_refer_shows_an_open311_failure_and_changes_nothing(staff_client, issue):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    body = BodyFactory(open311_endpoint=f"http://127.0.0.1:{port}/")

    response = staff_client.post(
        reverse("audits:staff-refer"), {"issues": [issue.pk], "body": body.pk, "method": "open311"}
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert "could not be reached" in content
    assert not Referral.objects.exists()
    issue.refresh_from_db()
    assert issue.state == Issue.State.OPEN


def test_staff_refer_offers_the_chosen_issues(staff_client, issue):
    page = staff_client.get(reverse("audits:staff-refer") + f"?issues={issue.pk}")

    assert f'value="{issue.pk}" checked' in page.content.decode().replace("\n", "")


def test_staff_referral_records_the_response(staff_client, referral, issue):
    url = reverse("audits:staff-referral", kwargs={"pk": referral.pk})

    response = staff_client.post(
        url, {"response": "Fixed on Tuesday's round.", "state_action": "fix", "term": ""}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.response == "Fixed on Tuesday's round."
    issue.refresh_from_db()
    assert issue.state == Issue.State.FIXED
    assert referral.update_token in staff_client.get(url).content.decode()


def test_body_update_page_lets_the_body_update_its_issues(client, referral, issue):
    url = reverse("audits:body-update", kwargs={"token": referral.update_token})

    page = client.get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    content = page.content.decode()
    assert f'name="issue" value="{issue.pk}"' in content
    for private in PRIVATE:
        assert private not in content

    prefix = f"issue-{issue.pk}"
    response = client.post(url, {"issue": issue.pk, f"{prefix}-action": "schedule"})
    assert response.status_code == 400
    issue.refresh_from_db()
    assert issue.state == Issue.State.REFERRED

    response = client.post(
        url,
        {
            "issue": issue.pk,
            f"{prefix}-action": "schedule",
            f"{prefix}-term": "short",
            f"{prefix}-text": "Lantern ordered.",
        },
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.state == Issue.State.ACTION_SCHEDULED
    assert issue.updates.latest("pk").body == referral.body


def test_body_update_page_refuses_issues_of_other_referrals(client, referral, zone):
    other = IssueFactory(zone=zone)
    url = reverse("audits:body-update", kwargs={"token": referral.update_token})

    response = client.post(url, {"issue": other.pk, f"issue-{other.pk}-action": "fix"})

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == Issue.State.OPEN


def test_body_update_page_with_a_wrong_token_is_not_found(client, referral):
    url = reverse("audits:body-update", kwargs={"token": referral.update_token[:-1] + "!"})

    assert client.get(url).status_code == 404
    assert client.post(url, {"issue": "1"}).status_code == 404


def test_staff_export_has_the_council_columns_and_no_private_data(staff_client, issue):
    IssueFactory(zone=ZoneFactory(), state=Issue.State.FIXED)

    response = staff_client.get(reverse("audits:staff-export") + f"?zone={issue.zone.slug}")

    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert list(rows[0]) == COUNCIL_COLUMNS
    assert [row["id"] for row in rows] == [str(issue.pk)]
    for private in PRIVATE:
        assert private not in response.content.decode()


def test_staff_walk_is_a_self_contained_printable_page(staff_client, issue):
    response = staff_client.get(reverse("audits:staff-walk") + f"?issues={issue.pk}")

    page = response.content.decode()
    assert f"<td>#{issue.pk}<br>" in page
    assert "Grid ref:" in page
    assert "@media print" in page
    assert "<nav" not in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*\bhref=", page)
    assert not re.search(r"<img\b", page)
    for style in re.findall(r"<style[^>]*>(.*?)</style>", page, re.S):
        assert not re.search(r"https?://|@import|url\(", style)
    for private in PRIVATE:
        assert private not in page


def test_staff_dashboard_shows_the_figures(staff_client, issue):
    page = staff_client.get(reverse("audits:staff-dashboard")).content.decode()

    assert issue.category.name in page
    assert issue.zone.name in page
    assert reverse("audits:staff-issue", kwargs={"pk": issue.pk}) in page


def test_account_dashboard_links_staff_to_the_audit_tools(client, moderator, user):
    client.force_login(moderator)
    assert (
        reverse("audits:staff-queue") in client.get(reverse("accounts:dashboard")).content.decode()
    )
    client.force_login(user)
    assert (
        reverse("audits:staff-queue")
        not in client.get(reverse("accounts:dashboard")).content.decode()
    )


@pytest.mark.parametrize(
    "model",
    ["audits/body", "audits/issuecategory", "audits/audit", "audits/issue", "audits/referral"],
)
def test_admin_pages_for_audits_open(client, db, model):
    from peoplezones.accounts.tests.factories import UserFactory as _UserFactory

    IssueFactory()
    client.force_login(_UserFactory(is_staff=True, is_superuser=True))

    assert client.get(f"/admin/{model}/").status_code == 200
    assert client.get(f"/admin/{model}/add/").status_code == 200
