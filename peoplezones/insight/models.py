from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from peoplezones.core.models import TimeStampedModel


class CrimeBatch(TimeStampedModel):
    """One force's police.uk street-level crime for one month: its rows, stored column-wise.

    Written only by `insight.services.crimes_import` and read only through
    `insight.crime_store`, which says how the rows are kept and what each column holds. Each
    row is a crime or an anti-social behaviour report with its identity (the Crime ID, or for
    anti-social behaviour a hash of the row's content and its repeat number within the file), so
    importing a month again stores only rows not stored before. Points are police.uk's
    anonymised snap points, never addresses; rows without one have no point and are kept off
    maps. A crime's zone is worked out when crimes are read, not stored.
    """

    falls_within = models.CharField(_("falls within"), max_length=120)
    month = models.DateField(_("month"), db_index=True, help_text=_("The first day of the month."))
    rows = models.PositiveIntegerField(_("crimes"), default=0)
    located = models.PositiveIntegerField(_("crimes with a location"), default=0)
    digest = models.CharField(_("SHA-256 of the data"), max_length=64, editable=False)
    import_run = models.ForeignKey(
        "insight.ImportRun",
        verbose_name=_("last changed by import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    # Last, so that SQLite reads the other columns without walking through it.
    data = models.BinaryField(_("crimes, column by column"), editable=False)

    class Meta:
        ordering = ["-month", "falls_within"]
        constraints = [
            models.UniqueConstraint(
                fields=["falls_within", "month"], name="crime_batch_force_month_unique"
            )
        ]
        verbose_name = _("month of crime")
        verbose_name_plural = _("months of crime")

    def __str__(self) -> str:
        return f"{self.falls_within}, {self.month:%Y-%m} ({self.rows})"


class ImportRun(TimeStampedModel):
    """One file imported (or tried): police.uk crime, IMD or area boundaries, with its counts.

    For reference areas, `rows_stored` counts areas created, `rows_updated` areas changed and
    `rows_present` areas already stored exactly as in the file.
    """

    class Kind(models.TextChoices):
        POLICE_UK = "police_uk", _("police.uk crime")
        IMD = "imd", _("Index of Multiple Deprivation")
        AREAS = "areas", _("area boundaries")

    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.POLICE_UK, db_index=True
    )
    file_name = models.CharField(_("file name"), max_length=255)
    started = models.DateTimeField(_("started"))
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_stored = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_updated = models.PositiveIntegerField(_("rows updated"), default=0)
    rows_present = models.PositiveIntegerField(_("rows already present"), default=0)
    rows_without_location = models.PositiveIntegerField(_("rows without location"), default=0)
    rows_skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    skipped_by_reason = models.JSONField(_("rows skipped by reason"), default=dict, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started:%Y-%m-%d %H:%M})"


class ReferenceArea(TimeStampedModel):
    """A statistical or administrative area known by its ONS code: an LSOA, a ward or a district.

    Written only by `insight.services` (`imd_import`, `areas_import`), which merge what each file
    knows: the IMD file gives names, parent district and deprivation; a boundary file gives the
    geometry. `geometry` is a GeoJSON MultiPolygon (RFC 7946, lon/lat) and the bbox columns are
    derived from it, so that list queries can pre-filter cheaply as for zones.
    """

    class Kind(models.TextChoices):
        LSOA = "lsoa", _("lower layer super output area (LSOA)")
        WARD = "ward", _("electoral ward")
        LAD = "lad", _("local authority district")

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=160, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, db_index=True)
    lad_code = models.CharField(
        _("local authority code"),
        max_length=16,
        blank=True,
        db_index=True,
        help_text=_("For an LSOA or ward, the code of the district it lies in."),
    )
    geometry = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON MultiPolygon in longitude/latitude (WGS84)."),
    )
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    imd_rank = models.PositiveIntegerField(
        _("IMD 2019 rank"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("1 is the most deprived LSOA in England."),
    )
    imd_decile = models.PositiveSmallIntegerField(
        _("IMD 2019 decile"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("1 is the most deprived tenth of LSOAs in England."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["kind", "code"]
        indexes = [
            models.Index(
                fields=["min_lon", "min_lat", "max_lon", "max_lat"], name="refarea_bbox_idx"
            ),
        ]
        verbose_name = _("reference area")
        verbose_name_plural = _("reference areas")

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.min_lon is None:
            return None
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


class CrimeTypeWeight(TimeStampedModel):
    """How much one crime of a police.uk type counts in a harm-weighted hotspot analysis.

    The platform's own assumption, edited by staff; not the Cambridge Crime Harm Index, which
    police.uk's broad categories cannot reproduce. Types without a row count 1.
    """

    crime_type = models.CharField(_("crime type"), max_length=120, unique=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("How many crimes of weight 1 one crime of this type counts as."),
    )
    note = models.TextField(_("why this weight"), blank=True)

    class Meta:
        ordering = ["-weight", "crime_type"]
        verbose_name = _("crime type harm weight")
        verbose_name_plural = _("crime type harm weights")

    def __str__(self) -> str:
        return f"{self.crime_type}: {self.weight}"


class HotspotRun(TimeStampedModel):
    """One hotspot analysis: its parameters, the data it used and its results, for citing.

    Written only by `insight.services.run_hotspots`. `results` keeps the study area's cells and
    their values (count or harm); z, p, q and classes are exact functions of those values and the
    parameters, so `insight.selectors.hotspot_run_result` recomputes them rather than storing them.
    `data_snapshot` says which crimes were used (count, months, a fingerprint of their identities)
    so that a re-run can be checked to have seen the same data.
    """

    class Weighting(models.TextChoices):
        COUNT = "count", _("count of crimes")
        HARM = "harm", _("harm-weighted")

    class ClassifyBy(models.TextChoices):
        Q = "q", _("FDR-adjusted q-value")
        P = "p", _("p-value")

    class GridKind(models.TextChoices):
        SQUARE = "square", _("squares of the British National Grid")
        H3 = "h3", _("H3 hexagons")

    class Status(models.TextChoices):
        """Runs from the command are done when saved; runs asked for on a page queue first."""

        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    area = models.CharField(
        _("area"), max_length=80, help_text=_("force, zone:<slug> or lad:<code>.")
    )
    area_label = models.CharField(_("area name"), max_length=200)
    zone = models.ForeignKey(
        "zones.Zone",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotspot_runs",
    )
    month_from = models.DateField(_("from month"))
    month_to = models.DateField(_("to month"))
    crime_types = models.JSONField(
        _("crime types"), default=list, blank=True, help_text=_("Empty means every type.")
    )
    grid = models.CharField(
        _("grid"), max_length=8, choices=GridKind.choices, default=GridKind.SQUARE
    )
    cell_size = models.PositiveIntegerField(
        _("cell size (m)"),
        help_text=_("For H3 hexagons, the usual distance between neighbouring centres."),
    )
    h3_resolution = models.PositiveSmallIntegerField(_("H3 resolution"), null=True, blank=True)
    band = models.PositiveIntegerField(_("distance band (m)"))
    buffer = models.PositiveIntegerField(_("buffer (m)"), default=0)
    bandwidth = models.PositiveIntegerField(_("kernel density bandwidth (m)"))
    weighting = models.CharField(
        _("weighting"), max_length=8, choices=Weighting.choices, default=Weighting.COUNT
    )
    harm_weights = models.JSONField(_("harm weights used"), default=dict, blank=True)
    classify_by = models.CharField(
        _("classes from"), max_length=1, choices=ClassifyBy.choices, default=ClassifyBy.Q
    )
    method_version = models.CharField(_("method version"), max_length=16)
    cells = models.PositiveIntegerField(_("cells"), default=0)
    crimes = models.PositiveIntegerField(_("crimes counted"), default=0)
    hot_cells = models.PositiveIntegerField(_("hot cells"), default=0)
    cold_cells = models.PositiveIntegerField(_("cold cells"), default=0)
    data_snapshot = models.JSONField(_("data used"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Progress of a run asked for on the hotspots page and worked in the background
    # (`insight.tasks.run_hotspot_analysis`); written with `update()` so that the page polling
    # it sees each step as it happens.
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DONE, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("current step"), max_length=32, blank=True)
    error = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("hotspot analysis")
        verbose_name_plural = _("hotspot analyses")

    def __str__(self) -> str:
        return (
            f"{self.area_label}, {self.month_from:%Y-%m} to {self.month_to:%Y-%m} "
            f"({self.cell_label})"
        )

    @property
    def is_hex(self) -> bool:
        return self.grid == self.GridKind.H3

    # With fewer crimes than this a run says that Gi*'s analytical p-values cannot be relied
    # on (docs/insight.md, "Hotspot caveats").
    FEW_FOR_GI = 30

    @property
    def has_too_few_crimes(self) -> bool:
        return self.crimes < self.FEW_FOR_GI

    @property
    def cell_label(self) -> str:
        """What the cells were, in a few words: "150 m cells" or "H3 resolution 10"."""
        if self.is_hex:
            return _("H3 hexagons, resolution %(res)s") % {"res": self.h3_resolution}
        return _("%(size)s m cells") % {"size": self.cell_size}


class ThemeCrimeTypes(TimeStampedModel):
    """Which police.uk crime types a research theme is about, for Crimestoppers targeting.

    Themes are matched by title across zones (several zones share "Community Safety"), ignoring
    case, "&" for "and" and spacing: `key` is that normalised title. A theme with no row, or an
    empty list, is not about any police.uk category (e.g. "Health and Wellbeing"). Staff edit the
    table on the insight pages; each change is an audit event `insight.theme_crime_types_set`.
    """

    title = models.CharField(_("research theme"), max_length=160)
    key = models.CharField(_("matching key"), max_length=160, unique=True, editable=False)
    crime_types = models.JSONField(
        _("police.uk crime types"),
        default=list,
        blank=True,
        help_text=_("The police.uk categories the theme is about; empty for none."),
    )
    note = models.TextField(_("why these types"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("theme's crime types")
        verbose_name_plural = _("themes' crime types")

    def __str__(self) -> str:
        return f"{self.title}: {', '.join(self.crime_types) or '-'}"
