import datetime

import pytest
from django.utils import timezone

from peoplezones.accounts.models import ZoneMembership
from peoplezones.accounts.tests.factories import ZoneMembershipFactory
from peoplezones.audits.models import Issue
from peoplezones.audits.selectors import staff_issue_list, validation_queue
from peoplezones.audits.stats import issue_stats, walk_list
from peoplezones.audits.tests.factories import AuditFactory, IssueCategoryFactory, IssueFactory
from peoplezones.zones.tests.factories import ZoneFactory

T0 = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


def _days(n):
    return T0 + datetime.timedelta(days=n)


@pytest.fixture
def known(zone):
    """Five issues in two zones and one audit, with known timestamps."""
    other_zone = ZoneFactory()
    audit = AuditFactory(zone=zone)
    lights = IssueCategoryFactory(code="lights", name="Street lights")
    bins = IssueCategoryFactory(code="bins", name="Bin stores")
    issues = [
        # Referred after 1 day, fixed after 2.
        IssueFactory(
            zone=zone,
            audit=audit,
            category=lights,
            state=Issue.State.FIXED,
            confirmed_at=T0,
            referred_at=_days(1),
            fixed_at=_days(2),
        ),
        # Referred after 3 days, fixed after 10.
        IssueFactory(
            zone=zone,
            audit=audit,
            category=lights,
            state=Issue.State.FIXED,
            confirmed_at=T0,
            referred_at=_days(3),
            fixed_at=_days(10),
        ),
        # Referred after 5 days, not fixed yet.
        IssueFactory(
            zone=zone,
            category=bins,
            state=Issue.State.REFERRED,
            confirmed_at=T0,
            referred_at=_days(5),
        ),
        IssueFactory(zone=other_zone, category=bins, state=Issue.State.OPEN, confirmed_at=T0),
        IssueFactory(zone=zone, category=lights, state=Issue.State.UNCONFIRMED, confirmed_at=None),
    ]
    # The oldest open issue is the referred bin store, then the open one in the other zone.
    for days_ago, issue in zip([30, 20, 10, 5, 1], issues, strict=True):
        Issue.objects.filter(pk=issue.pk).update(
            created=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return {"zone": zone, "other_zone": other_zone, "audit": audit, "issues": issues}


def test_issue_stats_counts_by_category_and_state(programme_team_user, known):
    stats = issue_stats(user=programme_team_user)

    assert stats.overall.total == 5
    assert {row["category__code"]: row["count"] for row in stats.by_category} == {
        "lights": 3,
        "bins": 2,
    }
    by_state = {row["state"]: row["count"] for row in stats.by_state}
    assert by_state["fixed"] == 2
    assert by_state["referred"] == 1
    assert by_state["open"] == 1
    assert by_state["unconfirmed"] == 1
    assert by_state["hidden"] == 0
    assert stats.overall.open == 2
    assert stats.overall.fixed == 2


def test_issue_stats_medians_in_days(programme_team_user, known):
    stats = issue_stats(user=programme_team_user)

    assert stats.overall.median_days_to_refer == 3.0
    assert stats.overall.median_days_to_fix == 6.0
    assert len(stats.overall.days_to_refer) == 3
    assert len(stats.overall.days_to_fix) == 2


def test_issue_stats_per_zone_and_per_audit(programme_team_user, known):
    stats = issue_stats(user=programme_team_user)

    zones = {group.name: group for group in stats.by_zone}
    assert zones[known["zone"].name].total == 4
    assert zones[known["zone"].name].median_days_to_refer == 3.0
    assert zones[known["other_zone"].name].total == 1
    assert zones[known["other_zone"].name].median_days_to_fix is None
    (audit,) = stats.by_audit
    assert audit.name == known["audit"].name
    assert audit.total == 2
    assert audit.median_days_to_refer == 2.0
    assert audit.median_days_to_fix == 6.0

    in_audit = issue_stats(user=programme_team_user, audit=known["audit"])
    assert in_audit.overall.total == 2
    in_other_zone = issue_stats(user=programme_team_user, zone=known["other_zone"])
    assert in_other_zone.overall.total == 1


def test_issue_stats_lists_the_oldest_open_issues_first(programme_team_user, known):
    stats = issue_stats(user=programme_team_user)

    assert [issue.pk for issue in stats.oldest_open] == [
        known["issues"][2].pk,
        known["issues"][3].pk,
    ]


def test_issue_stats_leaves_out_bad_timestamps(programme_team_user, zone):
    IssueFactory(zone=zone, confirmed_at=_days(5), referred_at=_days(1))

    stats = issue_stats(user=programme_team_user)

    assert stats.overall.median_days_to_refer is None


def test_issue_stats_public_sees_public_issues_only(user, known):
    stats = issue_stats(user=user)

    assert stats.overall.total == 4


def test_issue_stats_zone_officer_sees_their_zone(known):
    officer = ZoneMembershipFactory(zone=known["zone"], role=ZoneMembership.Role.ZONE_OFFICER).user

    stats = issue_stats(user=officer)

    assert stats.overall.total == 4


def test_issue_stats_query_count_does_not_grow_with_issues(
    programme_team_user, known, django_assert_max_num_queries
):
    for _ in range(30):
        IssueFactory(zone=ZoneFactory(), audit=AuditFactory(), referred_at=timezone.now())

    with django_assert_max_num_queries(6):
        stats = issue_stats(user=programme_team_user)
        # Reading every figure the dashboard shows must not query again.
        _ = [(g.name, g.median_days_to_refer) for g in stats.by_zone + stats.by_audit]
        _ = [(i.category.name, i.zone.name if i.zone else "") for i in stats.oldest_open]


def test_staff_issue_list_scopes_a_zone_officer_to_their_zones(known, moderator, user):
    officer = ZoneMembershipFactory(
        zone=known["other_zone"], role=ZoneMembership.Role.ZONE_OFFICER
    ).user

    assert list(staff_issue_list(user=officer)) == [known["issues"][3]]
    assert staff_issue_list(user=moderator).count() == 5
    assert not staff_issue_list(user=user).exists()


def test_staff_queue_holds_new_and_unconfirmed_issues_oldest_first(known, moderator):
    queue = list(validation_queue(user=moderator))

    assert queue == [known["issues"][3], known["issues"][4]]
    assert list(validation_queue(user=moderator, zone=known["zone"])) == [known["issues"][4]]


def test_walk_list_gives_a_grid_reference(zone):
    issue = IssueFactory(zone=zone)

    (row,) = walk_list(issues=[issue])

    assert 450_000 < row.easting < 460_000
    assert 300_000 < row.northing < 310_000
