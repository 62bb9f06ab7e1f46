import factory
from django.utils import timezone

from peoplezones.accounts.models import User, ZoneMembership

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    # Accounts made by staff or tests have a confirmed address; sign-up leaves it empty.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            self.save()
            return
        from django.contrib.auth.models import Group

        for role in extracted:
            self.groups.add(Group.objects.get_or_create(name=role)[0])
        self.save()


class ZoneMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZoneMembership

    user = factory.SubFactory(UserFactory)
    zone = factory.SubFactory("peoplezones.zones.tests.factories.ZoneFactory")
    role = ZoneMembership.Role.MEMBER
