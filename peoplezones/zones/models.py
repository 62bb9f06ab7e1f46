from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.core import geo
from peoplezones.core.models import TimeStampedModel


class Zone(TimeStampedModel):
    """A neighbourhood in the programme, with its boundary as a GeoJSON MultiPolygon.

    The bbox columns are derived from the boundary by `zones.services` and let list queries
    pre-filter points cheaply before the exact point-in-polygon test.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    local_authority = models.CharField(_("local authority"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON MultiPolygon in longitude/latitude (WGS84)."),
    )
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    established = models.PositiveSmallIntegerField(
        _("year established"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("zones:zone-detail", kwargs={"slug": self.slug})

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.min_lon is None:
            return None
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)

    def contains_point(self, *, lat: float, lon: float) -> bool:
        """Whether the point lies inside (or on the edge of) this zone's boundary."""
        if not self.boundary or self.bbox is None:
            return False
        min_lon, min_lat, max_lon, max_lat = self.bbox
        if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
            return False
        return geo.point_in_geometry(
            lat=lat,
            lon=lon,
            geometry=self.boundary,
            cache_key=f"zone:{self.pk}:{self.modified.isoformat()}",
        )


class Theme(TimeStampedModel):
    """A research theme the zone's steering group works to (e.g. Community Safety), in order."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="themes"
    )
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["zone", "order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "title"], name="theme_unique_title_per_zone"),
        ]
        verbose_name = _("research theme")
        verbose_name_plural = _("research themes")

    def __str__(self) -> str:
        return self.title


class ResearchReport(TimeStampedModel):
    """A published piece of research about a zone, where the themes come from."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="research_reports"
    )
    title = models.CharField(_("title"), max_length=250)
    publisher = models.CharField(_("publisher"), max_length=160)
    published = models.DateField(_("published"), null=True, blank=True)
    url = models.URLField(_("web address"), blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["zone", "-published", "title"]
        verbose_name = _("research report")
        verbose_name_plural = _("research reports")

    def __str__(self) -> str:
        return self.title
