from django.core import mail
from django.urls import reverse

from peoplezones.assets.models import AssetChange, Flag
from peoplezones.assets.services import asset_suggest_change
from peoplezones.assets.tests.factories import AssetFactory, EventFactory, FlagFactory


def test_queue_is_for_moderators_only(client, user, moderator):
    assert client.get(reverse("assets:moderation")).status_code == 302
    client.force_login(user)
    assert client.get(reverse("assets:moderation")).status_code == 403
    client.force_login(moderator)
    assert client.get(reverse("assets:moderation")).status_code == 200


def test_queue_lists_pending_flags_changes_and_events(
    client, moderator, django_assert_max_num_queries
):
    AssetFactory(name="Waiting asset", status="pending")
    FlagFactory(asset=AssetFactory(name="Flagged asset"))
    asset_suggest_change(
        asset=AssetFactory(name="Changed asset"), actor=None, changes={"name": "New"}
    )
    EventFactory(title="Waiting event", status="pending")
    client.force_login(moderator)

    with django_assert_max_num_queries(12):
        content = client.get(reverse("assets:moderation")).content.decode()

    for text in ["Waiting asset", "Flagged asset", "Changed asset", "Waiting event"]:
        assert text in content


def test_review_shows_private_details_and_publishes(
    client, moderator, django_capture_on_commit_callbacks
):
    asset = AssetFactory(status="pending", contributor_email="tell.me@example.net")
    client.force_login(moderator)
    url = reverse("assets:moderation-asset", kwargs={"pk": asset.pk})

    assert "tell.me@example.net" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve"})

    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.status == "published"
    assert mail.outbox[0].to == ["tell.me@example.net"]


def test_reject_without_reason_is_explained_and_changes_nothing(client, moderator):
    asset = AssetFactory(status="pending")
    client.force_login(moderator)

    response = client.post(
        reverse("assets:moderation-asset", kwargs={"pk": asset.pk}), {"action": "reject"}
    )

    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    asset.refresh_from_db()
    assert asset.status == "pending"


def test_bulk_publish_reports_each_result(client, moderator):
    pending = [AssetFactory(status="pending") for _ in range(3)]
    already = AssetFactory(status="published")
    client.force_login(moderator)

    response = client.post(
        reverse("assets:moderation-bulk"),
        {"action": "approve", "asset": [a.pk for a in [*pending, already]]},
        follow=True,
    )

    content = response.content.decode()
    assert "3 changed" in content
    assert already.name in content
    for asset in pending:
        asset.refresh_from_db()
        assert asset.status == "published"


def test_suggested_change_side_by_side_and_approved(client, moderator):
    asset = AssetFactory(name="Old name")
    change = asset_suggest_change(asset=asset, actor=None, changes={"name": "New name"})
    client.force_login(moderator)
    url = reverse("assets:moderation-change", kwargs={"pk": change.pk})

    content = client.get(url).content.decode()
    assert "Old name" in content
    assert "New name" in content

    client.post(url, {"decision": "approve"})
    asset.refresh_from_db()
    assert asset.name == "New name"
    assert AssetChange.objects.get().status == "approved"


def test_turning_down_a_change_needs_a_reason(client, moderator):
    change = asset_suggest_change(asset=AssetFactory(), actor=None, changes={"name": "Spam"})
    client.force_login(moderator)

    response = client.post(
        reverse("assets:moderation-change", kwargs={"pk": change.pk}), {"decision": "reject"}
    )

    assert response.status_code == 400
    change.refresh_from_db()
    assert change.status == "pending"


def test_closing_a_flag_keeps_the_asset_published(client, moderator):
    flag = FlagFactory()
    client.force_login(moderator)

    client.post(
        reverse("assets:moderation-flag-close", kwargs={"pk": flag.pk}),
        {"status": "resolved", "resolution": "Checked: still open"},
    )

    flag.refresh_from_db()
    assert flag.status == Flag.Status.RESOLVED
    flag.asset.refresh_from_db()
    assert flag.asset.status == "published"


def test_event_is_published_from_the_queue(client, moderator):
    event = EventFactory(status="pending")
    client.force_login(moderator)

    client.post(reverse("assets:moderation-event", kwargs={"pk": event.pk}), {"action": "approve"})

    event.refresh_from_db()
    assert event.status == "published"
