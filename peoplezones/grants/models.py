"""Grant funds, rounds, applicant organisations, applications, assessment, awards and monitoring.

Applications move through the workflow declared once in `workflow.py`; awards draw on a budget
line through a `finance.Commitment`. Contact details of applicants are private: they appear
only to the applicant and programme staff, never on public pages, the API or open data.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peoplezones.core.models import TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}
DEFAULT_MAXIMUM_AWARD = Decimal("10000.00")

_CHARITY_NUMBER = re.compile(r"^[0-9]{6,7}(-[0-9]{1,2})?$", re.ASCII)
_COMPANY_NUMBER = re.compile(r"^([0-9]{8}|(SC|NI|OC|SO|NC|R0|IP|SP|RS|NP|CE|CS|GE|LP|SL)[0-9]{6})$")


def validate_charity_number(value: str) -> None:
    """England and Wales register: six or seven digits, and a "-1" style suffix for a linked
    charity (e.g. 1012345 or 1012345-1)."""
    if not _CHARITY_NUMBER.match(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a charity number in England and Wales: it should be six or "
                "seven digits, for example 1012345 (a linked charity adds -1)."
            ),
            code="invalid_charity_number",
            params={"value": value[:40]},
        )


def validate_company_number(value: str) -> None:
    """Companies House: eight characters, digits or a two-letter prefix and six digits."""
    if not _COMPANY_NUMBER.match(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a company number: it has eight characters, for example "
                "01234567 (keep the leading zeros) or SC123456."
            ),
            code="invalid_company_number",
            params={"value": value[:40]},
        )


class Fund(TimeStampedModel):
    """A pot of money with its funder, e.g. People Zones Grants from the commissioner."""

    name = models.CharField(_("name"), max_length=160, unique=True)
    description = models.TextField(_("description"), blank=True)
    funder_name = models.CharField(_("funder's name"), max_length=200)
    funder_org_id = models.CharField(
        _("funder's organisation identifier"),
        max_length=80,
        help_text=_("An org-id.guide identifier for open data, e.g. GB-GOR-PC000123."),
    )
    identifier_prefix = models.CharField(
        _("360Giving prefix"),
        max_length=40,
        help_text=_("The publisher prefix 360Giving gave the funder, e.g. 360G-pzllr."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return self.name


class GrantRound(TimeStampedModel):
    """A round of a fund: open between two London times to applications from some zones."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Opens soon")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        DECIDED = "decided", _("Decided")

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    zones = models.ManyToManyField(
        "zones.Zone", verbose_name=_("eligible zones"), related_name="grant_rounds"
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    minimum_award = models.DecimalField(
        _("smallest grant"),
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    maximum_award = models.DecimalField(
        _("largest grant"),
        **MONEY,
        default=DEFAULT_MAXIMUM_AWARD,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    themes = models.ManyToManyField(
        "zones.Theme",
        verbose_name=_("themes applications must address"),
        related_name="grant_rounds",
        blank=True,
    )
    eligibility_questions = models.JSONField(
        _("eligibility questions"),
        default=list,
        blank=True,
        help_text=_("Statements every applicant must confirm, one per item."),
    )
    guidance = models.TextField(_("guidance for applicants"), blank=True)
    budget_year = models.ForeignKey(
        "finance.BudgetYear",
        verbose_name=_("budget year"),
        on_delete=models.PROTECT,
        related_name="grant_rounds",
    )
    budget_line = models.ForeignKey(
        "finance.BudgetLine",
        verbose_name=_("budget line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant_rounds",
        help_text=_("Awards are committed against this line."),
    )
    decided_at = models.DateTimeField(_("decisions complete"), null=True, blank=True)

    class Meta:
        ordering = ["-opens_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="grant_round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(maximum_award__gte=models.F("minimum_award")),
                name="grant_round_maximum_not_below_minimum",
            ),
        ]
        verbose_name = _("grant round")
        verbose_name_plural = _("grant rounds")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("grants:round-detail", kwargs={"slug": self.slug})

    def status_at(self, moment=None) -> str:
        moment = moment or timezone.now()
        if self.decided_at is not None:
            return self.Status.DECIDED
        if moment < self.opens_at:
            return self.Status.SCHEDULED
        if moment < self.closes_at:
            return self.Status.OPEN
        return self.Status.CLOSED

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    def is_open(self, moment=None) -> bool:
        return self.status_at(moment) == self.Status.OPEN


class Organisation(TimeStampedModel):
    """A community organisation that applies for grants; public in funding tables and open data.

    Its address is public (organisations publish theirs); people's contact details live on the
    application and stay private.
    """

    class Type(models.TextChoices):
        CHARITY = "charity", _("Registered charity")
        CIO = "cio", _("Charitable incorporated organisation (CIO)")
        COMPANY = "company", _("Company limited by guarantee")
        CIC = "cic", _("Community interest company (CIC)")
        SCHOOL = "school", _("School")
        FAITH = "faith", _("Faith group")
        UNREGISTERED = "unregistered", _("Unregistered community group")
        OTHER = "other", _("Other")

    class Connection(models.TextChoices):
        LIVING = "living", _("Our members live in the zone")
        WORKING = "working", _("We work in the zone")
        PROVIDING = "providing", _("We provide a service in the zone")
        PLANNING = "planning", _("We plan to provide a service in the zone")

    name = models.CharField(_("name"), max_length=200)
    org_type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    charity_number = models.CharField(
        _("charity number"),
        max_length=10,
        blank=True,
        validators=[validate_charity_number],
        help_text=_("Registered in England and Wales, e.g. 1012345."),
    )
    company_number = models.CharField(
        _("company number"),
        max_length=8,
        blank=True,
        validators=[validate_company_number],
        help_text=_("Eight characters, keeping any leading zeros, e.g. 01234567."),
    )
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    connection = models.CharField(
        _("connection to the zone"), max_length=12, choices=Connection.choices, blank=True
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people who apply for it"),
        related_name="organisations",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def org_id(self, fund: Fund) -> str:
        """An org-id style identifier: the charity or company register when known."""
        if self.charity_number:
            return f"GB-CHC-{self.charity_number}"
        if self.company_number:
            return f"GB-COH-{self.company_number}"
        return f"{fund.identifier_prefix}-org-{self.pk}"


class Application(TimeStampedModel):
    """A bid for a grant from one organisation for one zone in one round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        MORE_INFORMATION = "more_information", _("More information requested")
        INELIGIBLE = "ineligible", _("Not eligible")
        ASSESSMENT = "assessment", _("Being assessed")
        RECOMMENDED = "recommended", _("Recommended")
        NOT_RECOMMENDED = "not_recommended", _("Not recommended")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    round = models.ForeignKey(
        GrantRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    zone = models.ForeignKey(
        "zones.Zone", verbose_name=_("zone"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grant_applications",
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    project_name = models.CharField(_("project name"), max_length=200)
    brief = models.TextField(_("what the project will do"), blank=True)
    amount_requested = models.DecimalField(_("amount requested"), **MONEY, null=True, blank=True)
    themes = models.ManyToManyField(
        "zones.Theme",
        verbose_name=_("research themes addressed"),
        related_name="applications",
        blank=True,
    )
    beneficiaries = models.TextField(_("who will benefit"), blank=True)
    beneficiary_count = models.PositiveIntegerField(
        _("how many people"), null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    beneficiary_ages = models.CharField(_("their ages"), max_length=80, blank=True)
    starts_on = models.DateField(_("planned start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    eligibility_answers = models.JSONField(_("eligibility declarations"), default=dict, blank=True)
    has_safeguarding_policy = models.BooleanField(
        _("has a safeguarding policy"), null=True, blank=True
    )
    safeguarding_details = models.TextField(_("safeguarding arrangements"), blank=True)
    has_insurance = models.BooleanField(_("has public liability insurance"), null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    imported = models.BooleanField(
        _("imported"), default=False, help_text=_("A historical award loaded from a table.")
    )

    class Meta:
        ordering = ["round", "reference"]
        indexes = [models.Index(fields=["round", "status"])]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.reference} {self.project_name}"

    def budget_total(self) -> Decimal:
        return sum((item.amount for item in self.budget_items.all()), Decimal("0.00"))


class BudgetItem(models.Model):
    """One line of an application's itemised budget; the items must sum to the amount asked."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="budget_items",
    )
    description = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(
        _("cost"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["application", "order", "pk"]
        verbose_name = _("budget item")
        verbose_name_plural = _("budget items")

    def __str__(self) -> str:
        return self.description


class Message(TimeStampedModel):
    """A note between the programme team and an applicant (e.g. "more information, please")."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_staff = models.BooleanField(_("from the programme team"), default=False)
    body = models.TextField(_("message"))

    class Meta:
        ordering = ["application", "created", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.body[:60]


class Criterion(models.Model):
    """One line of a round's scoring matrix: scored 0-5 with a descriptor for each score."""

    round = models.ForeignKey(
        GrantRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="criteria"
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("what assessors look for"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    descriptors = models.JSONField(
        _("descriptors"),
        default=list,
        blank=True,
        help_text=_("Six texts: what a score of 0, 1, 2, 3, 4 and 5 means."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["round", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "title"], name="criterion_unique_title"),
        ]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.title


class ConflictDeclaration(TimeStampedModel):
    """An assessor's statement, per application, of any conflict of interest.

    An assessor must declare (conflict or none) before scoring; a declared conflict bars them.
    """

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="conflict_declarations",
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="conflict_declarations",
    )
    has_conflict = models.BooleanField(_("has a conflict of interest"))
    details = models.TextField(_("details"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "assessor"], name="one_declaration_per_assessor"
            ),
        ]
        verbose_name = _("conflict of interest declaration")
        verbose_name_plural = _("conflict of interest declarations")

    def __str__(self) -> str:
        return f"{self.application} / {self.assessor}"


class Review(TimeStampedModel):
    """One assessor's scores for one application; `weighted_score` is kept in step by the service.

    It is the weighted mean of the scores (0-5), stored so that ranking a round of thousands
    of applications is one aggregate query.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="reviews"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="grant_reviews",
    )
    scores = models.JSONField(_("scores"), default=dict, help_text=_("criterion id -> 0..5"))
    weighted_score = models.DecimalField(_("weighted score"), max_digits=6, decimal_places=4)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "assessor"], name="one_review_each"),
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.application} / {self.assessor}"


class Award(TimeStampedModel):
    """The commissioner's approval of an application, published with its reasons."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="award"
    )
    amount = models.DecimalField(
        _("amount awarded"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    conditions = models.TextField(_("conditions"), blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    identifier = models.CharField(_("open data identifier"), max_length=120, unique=True)
    commitment = models.OneToOneField(
        "finance.Commitment",
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)

    class Meta:
        ordering = ["application__round", "application__reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="award_amount_positive"),
        ]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return self.identifier

    def get_absolute_url(self) -> str:
        return reverse("grants:award-detail", kwargs={"identifier": self.identifier})


class Payment(TimeStampedModel):
    """A payment of (part of) an award; it is also the finance spend against its commitment."""

    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="payments"
    )
    spend = models.OneToOneField(
        "finance.Spend",
        verbose_name=_("spend"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    amount = models.DecimalField(
        _("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=80, blank=True)

    class Meta:
        ordering = ["award", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.award} {self.amount}"


class MonitoringReturn(TimeStampedModel):
    """What a funded project reports back: due on a date, then submitted and accepted."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")

    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="monitoring_returns"
    )
    title = models.CharField(_("title"), max_length=120, default="Monitoring return")
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DUE
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    outputs = models.TextField(_("what the project delivered"), blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    spend_to_date = models.DecimalField(_("spent so far"), **MONEY, null=True, blank=True)
    story = models.TextField(_("a story from the project"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="grants/returns/%Y/%m/", blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("monitoring return")
        verbose_name_plural = _("monitoring returns")

    def __str__(self) -> str:
        return f"{self.award} {self.title}"

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.DUE and self.due_on < today
