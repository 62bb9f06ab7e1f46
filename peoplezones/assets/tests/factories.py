import datetime

import factory
from django.utils import timezone

from peoplezones.assets.models import Asset, Category, Event, Flag


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class AssetFactory(factory.django.DjangoModelFactory):
    """A published asset inside the factory zone's square (west Leicester) unless told otherwise."""

    class Meta:
        model = Asset
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community group {n}")
    description = "Meets every week."
    asset_class = Asset.AssetClass.ASSOCIATION
    latitude = 52.638
    longitude = -1.185
    address = "1 Example Road, Leicester"
    postcode = "LE3 9EG"
    status = Asset.Status.PUBLISHED
    source = Asset.Source.STAFF
    contributor_name = "Private Person"
    contributor_email = factory.Sequence(lambda n: f"private.contributor{n}@example.net")

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    asset = factory.SubFactory(AssetFactory)
    reason = Flag.Reason.WRONG
    reporter_email = "private.reporter@example.net"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Coffee morning {n}")
    asset = factory.SubFactory(AssetFactory)
    zone = factory.LazyAttribute(lambda e: e.asset.zone if e.asset else None)
    start = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)
    )
    end = factory.LazyAttribute(lambda e: e.start + datetime.timedelta(hours=2))
    status = Asset.Status.PUBLISHED
    contributor_email = "private.events@example.net"
