"""The programme's budget: years (April to March), lines, commitments against them and spend.

Every total shown anywhere is computed from these rows (see `selectors`); nothing stores a sum.
A `StatedFigure` is a total that appeared in a published document, kept so that the
reconciliation can show it beside the figure the records give.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.core.models import TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class BudgetYear(TimeStampedModel):
    """A financial year from 1 April to 31 March, named like "2023/24"."""

    start_year = models.PositiveSmallIntegerField(
        _("starting year"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The calendar year in which the financial year starts on 1 April."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("budget year")
        verbose_name_plural = _("budget years")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def starts(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def ends(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    @staticmethod
    def start_year_for(day: datetime.date) -> int:
        """The financial year a day falls in: 31 March 2024 is in 2023/24, 1 April in 2024/25."""
        return day.year if day.month >= 4 else day.year - 1


class BudgetLine(TimeStampedModel):
    """One line of a year's budget, e.g. "Grant funding £180,000.00"."""

    year = models.ForeignKey(
        BudgetYear, verbose_name=_("budget year"), on_delete=models.PROTECT, related_name="lines"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.00"))]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["year", "order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["year", "title"], name="budget_line_unique_title"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="budget_line_amount_not_negative"
            ),
        ]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.year.label} {self.title}"


class Commitment(TimeStampedModel):
    """Money promised from a budget line: a grant award, or an event, materials, evaluation...

    Awards create their commitment themselves; the other kinds are entered by finance staff.
    A released commitment (e.g. an award withdrawn) no longer counts against the line.
    """

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant award")
        EVENT = "event", _("Event or initiative")
        PAYBACK = "payback", _("Community Payback materials")
        COMMUNICATIONS = "communications", _("Communications and materials")
        EVALUATION = "evaluation", _("Evaluation")
        OTHER = "other", _("Other")

    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=250)
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    committed_on = models.DateField(_("committed on"))
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    released = models.BooleanField(_("released"), default=False)
    override_reason = models.TextField(
        _("reason for going over the line"),
        blank=True,
        help_text=_("Only when a finance user agreed to commit more than the line has left."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-committed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="commitment_amount_positive"
            ),
        ]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return self.description


class Spend(TimeStampedModel):
    """Money paid out against a commitment (a grant payment, an invoice)."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.PROTECT, related_name="spends"
    )
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="spend_amount_positive"),
        ]
        verbose_name = _("spend")
        verbose_name_plural = _("spend")

    def __str__(self) -> str:
        return f"{self.commitment} {self.amount}"


class StatedFigure(TimeStampedModel):
    """A total as it appeared in a published document, to be checked against the records."""

    class Scope(models.TextChoices):
        ROUND = "round", _("Grant round (key: the round's name)")
        ZONE_YEAR = "zone_year", _("Awards to a zone in a budget year (key: “new-parks 2022/23”)")
        BUDGET_YEAR = "budget_year", _("A budget year's lines (key: “2023/24”)")
        BUDGET_LINE = "budget_line", _("One budget line (key: “2023/24 Evaluation”)")

    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    key = models.CharField(_("key"), max_length=250)
    amount = models.DecimalField(_("stated amount"), **MONEY)
    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("Where the figure was published, e.g. the panel report of 26 July 2023."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["scope", "key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "source"], name="stated_figure_unique_per_source"
            ),
        ]
        verbose_name = _("stated figure")
        verbose_name_plural = _("stated figures")

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.key}"
