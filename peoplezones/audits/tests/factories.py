import datetime

import factory
from django.utils import timezone

from peoplezones.audits.models import Audit, Body, Issue, IssueCategory


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Borough Council {n}")
    contact_email = factory.Sequence(lambda n: f"streets{n}@council.example.org")


class IssueCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IssueCategory
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"problem-{n}")
    service_code = factory.LazyAttribute(lambda c: c.code)
    name = factory.Sequence(lambda n: f"Problem {n}")
    icon = IssueCategory.Icon.OTHER


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    zone = factory.SubFactory("peoplezones.zones.tests.factories.ZoneFactory")
    name = factory.Sequence(lambda n: f"Lighting audit {n}")
    slug = factory.Sequence(lambda n: f"lighting-audit-{n}")
    kind = Audit.Kind.LIGHTING
    starts = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))


class IssueFactory(factory.django.DjangoModelFactory):
    """An open issue inside the factory zone's square (west Leicester), with private contacts."""

    class Meta:
        model = Issue

    category = factory.SubFactory(IssueCategoryFactory)
    latitude = 52.638
    longitude = -1.185
    description = "The light by the alley has been out for a week."
    state = Issue.State.OPEN
    confirmed_at = factory.LazyFunction(timezone.now)
    reporter_name = "Private Reporter"
    reporter_email = factory.Sequence(lambda n: f"private.reporter{n}@example.net")
    reporter_phone = "07700 900123"
