from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.core.models import TimeStampedModel


class Crime(models.Model):
    """One row of a police.uk street-level crime file: a crime or an anti-social behaviour report.

    Rows are written only by `insight.services.crimes_import`. `identity` makes re-imports
    idempotent: the Crime ID when police.uk gives one, otherwise (anti-social behaviour) a hash of
    the row's content and its repeat number within the file, so identical reports stay separate.
    The point is police.uk's anonymised snap point, never an address; rows without one have no
    point and no zone and are kept off maps.
    """

    month = models.DateField(_("month"), db_index=True, help_text=_("The first day of the month."))
    crime_id = models.CharField(_("crime ID"), max_length=64, blank=True)
    identity = models.CharField(_("identity"), max_length=80, unique=True, editable=False)
    reported_by = models.CharField(_("reported by"), max_length=120)
    falls_within = models.CharField(_("falls within"), max_length=120)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    lsoa_code = models.CharField(_("LSOA code"), max_length=16, blank=True, db_index=True)
    lsoa_name = models.CharField(_("LSOA name"), max_length=120, blank=True)
    crime_type = models.CharField(_("crime type"), max_length=120, db_index=True)
    last_outcome = models.CharField(_("last outcome"), max_length=255, blank=True)
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crimes",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "id"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="crime_point_idx"),
            models.Index(fields=["zone", "month"], name="crime_zone_month_idx"),
        ]
        verbose_name = _("crime")
        verbose_name_plural = _("crimes")

    def __str__(self) -> str:
        return f"{self.crime_type}, {self.month:%Y-%m}, {self.location or '-'}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class ImportRun(TimeStampedModel):
    """One police.uk file imported (or tried), with its counts, for the audit trail."""

    file_name = models.CharField(_("file name"), max_length=255)
    started = models.DateTimeField(_("started"))
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_stored = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_present = models.PositiveIntegerField(_("rows already present"), default=0)
    rows_without_location = models.PositiveIntegerField(_("rows without location"), default=0)
    rows_skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    skipped_by_reason = models.JSONField(_("rows skipped by reason"), default=dict, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("crime import")
        verbose_name_plural = _("crime imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started:%Y-%m-%d %H:%M})"
