"""Factories for grants; `open_round()` gives a round open now, with one zone and its themes."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from peoplezones.finance.tests.factories import BudgetLineFactory, BudgetYearFactory
from peoplezones.grants.models import (
    Application,
    BudgetItem,
    Criterion,
    Fund,
    GrantRound,
    Organisation,
)
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund
        django_get_or_create = ("name",)

    name = "People Zones Grants"
    funder_name = "Office of the Police and Crime Commissioner for Leicestershire"
    funder_org_id = "GB-GOR-PC000123"
    identifier_prefix = "360G-pztest"


class GrantRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantRound
        skip_postgeneration_save = True

    fund = factory.SubFactory(FundFactory)
    name = factory.Sequence(lambda n: f"People Zone Grants round {n}")
    slug = factory.Sequence(lambda n: f"round-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=21))
    budget_year = factory.SubFactory(BudgetYearFactory)
    budget_line = factory.SubFactory(BudgetLineFactory, year=factory.SelfAttribute("..budget_year"))
    eligibility_questions = factory.LazyFunction(
        lambda: ["We are a not-for-profit group.", "The project benefits people in the zone."]
    )
    guidance = "Tell us what you will do and who it is for."

    @factory.post_generation
    def zones(self, create, extracted, **kwargs):
        if not create:
            return
        zones = extracted if extracted is not None else [ZoneFactory()]
        self.zones.set(zones)
        themes = []
        for zone in zones:
            zone_themes = list(zone.themes.all()) or [
                ThemeFactory(zone=zone, title="Crime and Anti-Social Behaviour"),
                ThemeFactory(zone=zone, title="Health and Wellbeing"),
            ]
            themes.extend(zone_themes)
        self.themes.set(themes)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    round = factory.SubFactory(GrantRoundFactory)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    descriptors = factory.LazyFunction(
        lambda: ["None", "Poor", "Weak", "Adequate", "Good", "Excellent"]
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Group {n}")
    org_type = Organisation.Type.CHARITY
    charity_number = factory.Sequence(lambda n: f"{1100000 + n}")
    postcode = "LE3 6RR"
    connection = Organisation.Connection.PROVIDING


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete application, ready to submit unless told otherwise."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    round = factory.SubFactory(GrantRoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    zone = factory.LazyAttribute(lambda a: a.round.zones.first())
    reference = factory.Sequence(lambda n: f"PZ-T-{n:05d}")
    project_name = factory.Sequence(lambda n: f"Project {n}")
    brief = "Weekly youth club with trips and workshops."
    amount_requested = Decimal("4800.00")
    beneficiaries = "Young people aged 11 to 16 living on the estate."
    beneficiary_count = 40
    beneficiary_ages = "11-16"
    eligibility_answers = factory.LazyAttribute(
        lambda a: dict.fromkeys(a.round.eligibility_questions, True)
    )
    has_safeguarding_policy = True
    has_insurance = True
    contact_name = "Private Contact Person"
    contact_email = "private.contact@example.org"
    contact_phone = "07700 900123"

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [("Venue hire", self.amount_requested)] if self.amount_requested else []
        for index, (text, amount) in enumerate(extracted, start=1):
            BudgetItem.objects.create(
                application=self, description=text, amount=amount, order=index
            )

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if not create:
            return
        self.themes.set(extracted if extracted is not None else self.round.themes.all()[:1])

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        if create and self.applicant_id:
            self.organisation.owners.add(self.applicant)
