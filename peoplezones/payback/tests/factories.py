import datetime

import factory

from peoplezones.payback.models import (
    PaybackProject,
    PaybackSession,
    PaybackSite,
    WelfareFacility,
)

WEEKDAYS_9_TO_5 = [{"day": day, "opens": "09:00", "closes": "17:00"} for day in range(5)]


class WelfareFacilityFactory(factory.django.DjangoModelFactory):
    """Toilets and water, open 09:00–17:00 Monday to Friday, in west Leicester."""

    class Meta:
        model = WelfareFacility

    name = factory.Sequence(lambda n: f"Community centre {n}")
    latitude = 52.638
    longitude = -1.185
    has_toilets = True
    has_water = True
    has_shelter = True
    opening_hours = factory.LazyFunction(lambda: list(WEEKDAYS_9_TO_5))


class PaybackSiteFactory(factory.django.DjangoModelFactory):
    """A site with one session, Tuesday 10:00–13:00, unless `sessions` says otherwise:
    a list of (weekday, "HH:MM", "HH:MM")."""

    class Meta:
        model = PaybackSite
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Park {n}")
    latitude = 52.639
    longitude = -1.186

    @factory.post_generation
    def sessions(self, create, extracted, **kwargs):
        if not create:
            return
        for weekday, starts, ends in [(1, "10:00", "13:00")] if extracted is None else extracted:
            PaybackSession.objects.create(
                site=self,
                weekday=weekday,
                starts=datetime.time.fromisoformat(starts),
                ends=datetime.time.fromisoformat(ends),
            )


class PaybackProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaybackProject

    site = factory.SubFactory(PaybackSiteFactory)
    title = factory.Sequence(lambda n: f"Clear the brook path {n}")
    starts_on = datetime.date(2024, 5, 1)
