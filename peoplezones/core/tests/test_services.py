from django.contrib.auth.models import AnonymousUser

from peoplezones.core.models import AuditEvent
from peoplezones.core.selectors import audit_event_list
from peoplezones.core.services import audit_record


def test_audit_record_names_actor_target_and_zone(user, zone):
    event = audit_record(actor=user, verb="zone.update", target=zone, zone=zone, data={"a": 1})

    event.refresh_from_db()
    assert event.actor == user
    assert event.target == zone
    assert event.target_repr == zone.name
    assert event.zone == zone
    assert event.data == {"a": 1}


def test_audit_record_stores_anonymous_actor_as_none(zone):
    event = audit_record(actor=AnonymousUser(), verb="asset.suggest", target=zone)

    assert event.actor is None
    assert "system" in str(event)


def test_audit_event_list_filters_by_target(user, zone):
    from peoplezones.zones.tests.factories import ZoneFactory

    other = ZoneFactory()
    audit_record(actor=user, verb="zone.update", target=zone, zone=zone)
    audit_record(actor=user, verb="zone.update", target=other, zone=other)

    assert [e.target for e in audit_event_list(target=zone)] == [zone]
    assert AuditEvent.objects.count() == 2
