import datetime

import factory
from django.utils import timezone

from peoplezones.governance.models import Action, Initiative, Meeting, Member, SteeringGroup


class SteeringGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SteeringGroup

    zone = factory.SubFactory("peoplezones.zones.tests.factories.ZoneFactory")
    name = factory.LazyAttribute(lambda g: f"{g.zone.name} Steering Group")
    action_prefix = "TZ"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    group = factory.SubFactory(SteeringGroupFactory)
    name = factory.Sequence(lambda n: f"Member Person {n}")
    sector = Member.Sector.RESIDENT
    role = Member.Role.MEMBER


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(SteeringGroupFactory)
    starts = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    place = "Community hub"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    group = factory.SubFactory(SteeringGroupFactory)
    number = factory.Sequence(lambda n: n + 1)
    description = "Ask the council about the lights on the canal path."
    owner_text = "Charnwood Borough Council"


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    kind = Initiative.Kind.EVENT
    status = Initiative.Status.LIVE

    @factory.post_generation
    def zones(self, create, extracted, **kwargs):
        if create and extracted:
            self.zones.set(extracted)
