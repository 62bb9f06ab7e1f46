"""Community Payback planning: welfare facilities, candidate sites with their session times,
projects (hours worked, materials bought against the budget) and the walking network.

Staff only: the work is done by people on probation, so nothing here is ever public.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.core.models import TimeStampedModel

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class WelfareFacility(TimeStampedModel):
    """Somewhere a payback team can use toilets, get water or shelter, and when it is open.

    Opening hours are stored as the asset map stores them (`Asset.opening_hours`): a list of
    {"day": 0-6 (Monday is 0), "opens": "09:00", "closes": "17:00"}. A facility copied from
    the asset map keeps its link to the asset, so copying again updates it rather than adding
    a second one.
    """

    name = models.CharField(_("name"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="welfare_facilities",
    )
    has_toilets = models.BooleanField(_("toilets"), default=False)
    has_water = models.BooleanField(_("drinking water"), default=False)
    has_shelter = models.BooleanField(_("shelter"), default=False)
    opening_hours = models.JSONField(
        _("opening hours"),
        default=list,
        blank=True,
        help_text=_('A list of {"day": 0-6 (Monday is 0), "opens": "09:00", "closes": "17:00"}.'),
    )
    always_open = models.BooleanField(
        _("open at all hours"),
        default=False,
        help_text=_("For example, a public toilet that never closes. Opening hours are ignored."),
    )
    notes = models.TextField(_("notes"), blank=True)
    asset = models.OneToOneField(
        "assets.Asset",
        verbose_name=_("asset on the map"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="welfare_facility",
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="welfare_point_idx")]
        verbose_name = _("welfare facility")
        verbose_name_plural = _("welfare facilities")

    def __str__(self) -> str:
        return self.name

    @property
    def amenities(self) -> list[str]:
        """What it offers, in words, for tables."""
        offered = [
            (self.has_toilets, _("toilets")),
            (self.has_water, _("water")),
            (self.has_shelter, _("shelter")),
        ]
        return [str(label) for has, label in offered if has]


class PaybackSite(TimeStampedModel):
    """A place where a Community Payback team could work, e.g. a park to clear or a wall to
    paint; it qualifies when welfare facilities are near enough during all its sessions."""

    name = models.CharField(_("name"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payback_sites",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("payback site")
        verbose_name_plural = _("payback sites")

    def __str__(self) -> str:
        return self.name


class PaybackSession(models.Model):
    """When a team works at a site each week: a weekday and local start and end times."""

    site = models.ForeignKey(PaybackSite, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(
        _("day"), choices=WEEKDAYS, validators=[MaxValueValidator(6)]
    )
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        ordering = ["weekday", "starts", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="payback_session_ends_after"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="payback_session_weekday"
            ),
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class PaybackProject(TimeStampedModel):
    """A piece of payback work at a site: its dates, the hours worked and the materials bought.

    Materials are commitments (and spend) on a finance budget line, normally the year's
    "Community Payback" line, so that the budget pages count them.
    """

    site = models.ForeignKey(
        PaybackSite, verbose_name=_("site"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("title"), max_length=200)
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payback_projects",
    )
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    budget_line = models.ForeignKey(
        "finance.BudgetLine",
        verbose_name=_("budget line for materials"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payback_projects",
    )

    class Meta:
        ordering = ["-starts_on", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="payback_project_ends_after_start",
            ),
        ]
        verbose_name = _("payback project")
        verbose_name_plural = _("payback projects")

    def __str__(self) -> str:
        return self.title


class HoursEntry(TimeStampedModel):
    """Hours of payback work done on a project on one day (a total for the team)."""

    project = models.ForeignKey(PaybackProject, on_delete=models.CASCADE, related_name="hours")
    worked_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours worked"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("10000"))],
    )
    people = models.PositiveSmallIntegerField(
        _("people"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    note = models.CharField(_("note"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-worked_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="payback_hours_positive"),
        ]
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")

    def __str__(self) -> str:
        return f"{self.project}: {self.hours} h on {self.worked_on}"


class MaterialsPurchase(TimeStampedModel):
    """Materials bought for a project: one finance commitment (kind "payback") on a line."""

    project = models.ForeignKey(PaybackProject, on_delete=models.PROTECT, related_name="materials")
    commitment = models.OneToOneField(
        "finance.Commitment", on_delete=models.PROTECT, related_name="payback_materials"
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("materials purchase")
        verbose_name_plural = _("materials purchases")

    def __str__(self) -> str:
        return str(self.commitment)


class WalkNetwork(TimeStampedModel):
    """The walking network read from an OpenStreetMap extract, stored compactly.

    `graph` holds NumPy arrays (see `payback.walkgraph.WalkGraph.to_bytes`): each node's
    latitude and longitude and each edge's two nodes and length in metres. Only the newest
    network is used; importing another replaces it.
    """

    name = models.CharField(_("name"), max_length=200)
    source_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    node_count = models.PositiveIntegerField(_("nodes"))
    edge_count = models.PositiveIntegerField(_("edges"))
    length_m = models.FloatField(_("length of walkable ways (m)"))
    min_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lat = models.FloatField()
    max_lon = models.FloatField()
    summary = models.JSONField(_("import summary"), default=dict, blank=True)
    graph = models.BinaryField(editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("walking network")
        verbose_name_plural = _("walking networks")

    def __str__(self) -> str:
        return self.name
