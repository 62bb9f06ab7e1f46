import datetime

import factory

from peoplezones.insight.models import Crime


class CrimeFactory(factory.django.DjangoModelFactory):
    """A located crime in west Leicester (inside the zones' test square) in March 2020."""

    class Meta:
        model = Crime

    month = datetime.date(2020, 3, 1)
    crime_id = factory.Sequence(lambda n: f"test-crime-{n}")
    identity = factory.LazyAttribute(lambda crime: crime.crime_id)
    reported_by = "Leicestershire Police"
    falls_within = "Leicestershire Police"
    latitude = 52.638
    longitude = -1.185
    location = "On or near Test Street"
    crime_type = "Burglary"
