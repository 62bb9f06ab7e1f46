import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from peoplezones.assets.models import Asset
from peoplezones.assets.services import asset_create, asset_flag, asset_transition
from peoplezones.assets.tests.factories import AssetFactory
from peoplezones.assets.workflow import TRANSITIONS, available_actions
from peoplezones.core.models import AuditEvent

POINT = {"name": "Men's Shed", "latitude": 52.638, "longitude": -1.185}


def test_contributions_land_as_pending_with_the_zone_derived(zone):
    asset = asset_create(actor=AnonymousUser(), fields=POINT, contributor_email="me@example.net")

    assert asset.status == Asset.Status.PENDING
    assert asset.zone == zone
    assert AuditEvent.objects.get(verb="asset.create").actor is None


def test_only_moderators_create_published_assets(user, moderator, zone):
    with pytest.raises(PermissionDenied):
        asset_create(actor=user, fields=POINT, status=Asset.Status.PUBLISHED)
    assert not Asset.objects.exists()

    asset = asset_create(actor=moderator, fields=POINT, status=Asset.Status.PUBLISHED)
    assert asset.status == Asset.Status.PUBLISHED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({**POINT, "name": ""}, "name"),
        ({**POINT, "latitude": -1.185, "longitude": 52.638}, "swapped"),
        ({**POINT, "latitude": 40.7, "longitude": -74.0}, "outside the UK"),
        ({**POINT, "postcode": "NOT A CODE"}, "postcode"),
        ({**POINT, "opening_hours": [{"day": 9, "opens": "09:00", "closes": "17:00"}]}, "day"),
        ({**POINT, "opening_hours": [{"day": 1, "opens": "17:00", "closes": "09:00"}]}, "after"),
        ({**POINT, "website": "not a url"}, "website"),
    ],
)
def test_asset_create_rejects_bad_input_and_saves_nothing(db, fields, message):
    with pytest.raises(ValidationError) as excinfo:
        asset_create(actor=None, fields=fields)

    assert message in str(excinfo.value)
    assert not Asset.objects.exists()
    assert not AuditEvent.objects.exists()


def test_unknown_category_is_named_and_nothing_saved(db):
    with pytest.raises(ValidationError, match="no-such-thing"):
        asset_create(actor=None, fields=POINT, categories=["food", "no-such-thing"])
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        ("pending", "approve", "published"),
        ("pending", "reject", "rejected"),
        ("published", "archive", "archived"),
        ("archived", "restore", "published"),
    ],
)
def test_moderators_move_assets_through_the_declared_table(moderator, status, action, target):
    asset = AssetFactory(status=status)

    moved = asset_transition(asset=asset, actor=moderator, action=action, reason="Duplicate")

    assert moved.status == target
    event = AuditEvent.objects.get(verb=f"asset.{action}")
    assert event.data["from"] == status
    assert event.data["to"] == target


@pytest.mark.parametrize("action", ["approve", "reject", "archive", "restore"])
def test_members_of_the_public_cannot_moderate(user, action):
    asset = AssetFactory(status="pending")

    with pytest.raises(PermissionDenied):
        asset_transition(asset=asset, actor=user, action=action, reason="x")
    asset.refresh_from_db()
    assert asset.status == "pending"


def test_a_move_not_in_the_table_is_refused(moderator):
    asset = AssetFactory(status="rejected")

    with pytest.raises(ValidationError, match="rejected"):
        asset_transition(asset=asset, actor=moderator, action="approve")


def test_reject_needs_a_reason(moderator):
    asset = AssetFactory(status="pending")

    with pytest.raises(ValidationError, match="reason"):
        asset_transition(asset=asset, actor=moderator, action="reject")


def test_unknown_action_lists_the_known_ones(moderator):
    with pytest.raises(ValidationError, match="approve"):
        asset_transition(asset=AssetFactory(), actor=moderator, action="delete")


def test_individual_skills_are_never_published(moderator):
    asset = AssetFactory(status="pending", asset_class=Asset.AssetClass.INDIVIDUAL)

    with pytest.raises(ValidationError, match="never published"):
        asset_transition(asset=asset, actor=moderator, action="approve")
    asset.refresh_from_db()
    assert asset.status == "pending"


def test_a_flag_on_a_pending_asset_never_publishes_it(moderator):
    asset = AssetFactory(status="pending")

    asset_flag(asset=asset, actor=None, reason="wrong", details="Closed down")

    asset.refresh_from_db()
    assert asset.status == "pending"
    assert [t.action for t in available_actions(user=moderator, obj=asset)] == ["approve", "reject"]


def test_available_actions_offer_only_allowed_moves(user, moderator):
    asset = AssetFactory(status="published")

    assert available_actions(user=user, obj=asset) == []
    assert [t.action for t in available_actions(user=moderator, obj=asset)] == ["archive"]
    assert set(TRANSITIONS) == {"submit", "approve", "reject", "archive", "restore"}


def test_contributor_is_emailed_after_the_decision_commits(
    moderator, django_capture_on_commit_callbacks
):
    asset = AssetFactory(status="pending", contributor_email="hear.back@example.net")

    with django_capture_on_commit_callbacks(execute=True):
        asset_transition(asset=asset, actor=moderator, action="approve")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hear.back@example.net"]
    assert asset.name in mail.outbox[0].body
