import pytest
from django.contrib.auth.models import AnonymousUser

from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_get, zone_list
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory


def test_public_sees_only_active_zones(programme_team_user):
    active = ZoneFactory(status=Zone.Status.ACTIVE)
    proposed = ZoneFactory(status=Zone.Status.PROPOSED)

    assert list(zone_list(user=AnonymousUser())) == [active]
    assert set(zone_list(user=programme_team_user)) == {active, proposed}
    with pytest.raises(Zone.DoesNotExist):
        zone_get(user=AnonymousUser(), slug=proposed.slug)


def test_zone_list_prefetches_themes_in_order(db, django_assert_num_queries):
    for _ in range(3):
        zone = ZoneFactory()
        ThemeFactory(zone=zone, order=2, title="B")
        ThemeFactory(zone=zone, order=1, title="A")

    with django_assert_num_queries(2):
        titles = [[t.title for t in z.themes.all()] for z in zone_list(user=AnonymousUser())]

    assert titles == [["A", "B"]] * 3
