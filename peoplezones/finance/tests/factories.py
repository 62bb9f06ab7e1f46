from decimal import Decimal

import factory

from peoplezones.finance.models import BudgetLine, BudgetYear, Commitment, StatedFigure


class BudgetYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetYear
        django_get_or_create = ("start_year",)

    start_year = 2023


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    year = factory.SubFactory(BudgetYearFactory)
    title = factory.Sequence(lambda n: f"Budget line {n}")
    amount = Decimal("180000.00")


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    line = factory.SubFactory(BudgetLineFactory)
    kind = Commitment.Kind.EVENT
    description = "Summer fun day"
    amount = Decimal("500.00")
    committed_on = factory.LazyFunction(lambda: __import__("datetime").date(2023, 6, 1))


class StatedFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatedFigure

    scope = StatedFigure.Scope.BUDGET_YEAR
    key = "2023/24"
    amount = Decimal("289000.00")
    source = "Police and Crime Panel report, 26 July 2023"
