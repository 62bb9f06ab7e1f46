import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.core.models import TimeStampedModel


class Body(TimeStampedModel):
    """A council or agency that fixes things; referred issues go to it."""

    name = models.CharField(_("name"), max_length=160)
    contact_email = models.EmailField(_("contact email"), blank=True)
    open311_endpoint = models.URLField(
        _("Open311 endpoint"), blank=True, help_text=_("The body's GeoReport v2 base address.")
    )
    # A secret: never shown outside the admin site, never in exports or logs.
    open311_api_key = models.CharField(_("Open311 API key"), max_length=200, blank=True)
    open311_jurisdiction = models.CharField(
        _("Open311 jurisdiction id"), max_length=100, blank=True
    )
    zones = models.ManyToManyField("zones.Zone", verbose_name=_("zones"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.name


class IssueCategory(TimeStampedModel):
    """A kind of problem residents can report, e.g. a street light that is out."""

    class Icon(models.TextChoices):
        STREET_LIGHT = "street-light", _("Street light")
        BIN = "bin", _("Bins and bin stores")
        TREE = "tree", _("Trees and overgrowth")
        GRAFFITI = "graffiti", _("Graffiti")
        PATH = "path", _("Paths and pavements")
        LITTER = "litter", _("Litter and fly-tipping")
        OTHER = "other", _("Something else")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    icon = models.CharField(_("icon"), max_length=20, choices=Icon.choices, default=Icon.OTHER)
    group = models.CharField(_("group"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=250, blank=True)
    extra_attributes = models.JSONField(
        _("extra questions"),
        default=list,
        blank=True,
        help_text=_(
            'A list of {"code": "...", "label": "...", "type": "text" or "choice", '
            '"choices": [...], "required": true/false}.'
        ),
    )
    default_body = models.ForeignKey(
        Body,
        verbose_name=_("refer to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="default_categories",
    )
    service_code = models.SlugField(
        _("Open311 service code"), max_length=50, unique=True, help_text=_("Usually the code.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("issue category")
        verbose_name_plural = _("issue categories")

    def __str__(self) -> str:
        return self.name


class Audit(TimeStampedModel):
    """A campaign in a zone, e.g. the Bell Foundry lighting audit."""

    class Kind(models.TextChoices):
        LIGHTING = "lighting", _("Lighting")
        ENVIRONMENT = "environment", _("Environment")
        SAFETY = "safety", _("Community safety")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Collecting reports")
        CLOSED = "closed", _("Closed")

    zone = models.ForeignKey(
        "zones.Zone", verbose_name=_("zone"), on_delete=models.CASCADE, related_name="audits"
    )
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SAFETY)
    description = models.TextField(_("description"), blank=True)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    categories = models.ManyToManyField(
        IssueCategory, verbose_name=_("categories collected"), related_name="audits", blank=True
    )

    class Meta:
        ordering = ["-starts", "name"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")

    def __str__(self) -> str:
        return self.name


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Issue(TimeStampedModel):
    """A problem a resident pinpointed. Its states are declared in `audits.workflow`.

    The reporter's name, email and phone are private; the public sees "a resident" unless the
    reporter chose to show their name.
    """

    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        OPEN = "open", _("Open")
        INVESTIGATING = "investigating", _("Investigating")
        REFERRED = "referred", _("Referred")
        ACTION_SCHEDULED = "action_scheduled", _("Action scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        FIXED = "fixed", _("Fixed")
        UNABLE_TO_FIX = "unable_to_fix", _("Closed: unable to fix")
        NOT_RESPONSIBLE = "not_responsible", _("Closed: not the responsibility of the body")
        DUPLICATE = "duplicate", _("Closed: duplicate")
        CANCELLED = "cancelled", _("Closed: cancelled")
        HIDDEN = "hidden", _("Hidden")

    class Term(models.TextChoices):
        SHORT = "short", _("Short term")
        MEDIUM = "medium", _("Medium term")
        LONG = "long", _("Long term")

    class Source(models.TextChoices):
        WEB = "web", _("Website")
        API = "api", _("API")
        OPEN311 = "open311", _("Open311")
        STAFF = "staff", _("Staff")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(
        IssueCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="issues"
    )
    audit = models.ForeignKey(
        Audit,
        verbose_name=_("audit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
    )
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    accuracy_m = models.FloatField(_("accuracy (metres)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.UNCONFIRMED, db_index=True
    )
    term = models.CharField(_("planned term"), max_length=10, choices=Term.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    support_count = models.PositiveIntegerField(_("“me too” count"), default=0)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.WEB
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    referred_at = models.DateTimeField(_("first referred"), null=True, blank=True)
    fixed_at = models.DateTimeField(_("fixed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set by a phone that queued the report offline, so that sending it twice saves it once.
    client_report_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    fixed_question_sent_at = models.DateTimeField(
        _("reporter asked if fixed"), null=True, blank=True
    )
    # Private: never in public pages, the public API, Open311 answers or exports.
    reporter_name = models.CharField(_("reporter's name"), max_length=120, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    show_name = models.BooleanField(_("show the reporter's name in public"), default=False)
    confirmation_token = models.CharField(max_length=64, default=new_token, editable=False)
    # What a moderator replaced when redacting, kept for the record (staff only).
    original_description = models.TextField(_("original description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_issues",
    )

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="issue_point_idx"),
            models.Index(fields=["state", "zone"], name="issue_state_zone_idx"),
            models.Index(fields=["category", "state"], name="issue_category_state_idx"),
        ]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.name}" if self.category_id else f"#{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("audits:issue-detail", kwargs={"pk": self.pk})

    @property
    def attribute_answers(self) -> list[tuple[str, str]]:
        """The answers to the category's extra questions, with each question's own words."""
        labels = {
            q.get("code"): q.get("label", q.get("code")) for q in self.category.extra_attributes
        }
        return [(labels.get(code, code), value) for code, value in self.attributes.items()]


class IssuePhoto(TimeStampedModel):
    """A photo of an issue, re-encoded with all metadata removed; staff may hide it."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="issues/%Y/%m/")
    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["created"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.alt_text or f"Photo {self.pk}"


class IssueUpdate(TimeStampedModel):
    """One entry on an issue's timeline: a state change, a note, a response from a body."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="updates")
    state_from = models.CharField(max_length=20, choices=Issue.State.choices, blank=True)
    state_to = models.CharField(max_length=20, choices=Issue.State.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    public = models.BooleanField(_("public"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.SET_NULL, related_name="updates"
    )

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("update")
        verbose_name_plural = _("updates")

    def __str__(self) -> str:
        return f"{self.issue}: {self.state_from}→{self.state_to}"


class Referral(TimeStampedModel):
    """Issues sent to a body to fix, and what the body said back."""

    class Method(models.TextChoices):
        EMAIL = "email", _("Email with a CSV file")
        CSV = "csv", _("CSV download")
        OPEN311 = "open311", _("Open311")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="referrals")
    issues = models.ManyToManyField(Issue, related_name="referrals")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    external_id = models.CharField(_("body's reference"), max_length=100, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    response = models.TextField(_("body's response"), blank=True)
    planned_term = models.CharField(
        _("planned term"), max_length=10, choices=Issue.Term.choices, blank=True
    )
    update_token = models.CharField(max_length=64, default=new_token, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.body}"


class IssueSubscription(TimeStampedModel):
    """Someone following an issue by email (double opt-in, one-click unsubscribe)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField(_("email"))
    confirmed = models.BooleanField(default=False)
    token = models.CharField(max_length=64, default=new_token, unique=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "email"], name="subscription_unique_email"),
        ]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"Subscription to {self.issue}"
