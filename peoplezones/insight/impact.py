"""Impact against comparison areas: how crime in a zone changed after a start month, beside
matched LSOAs outside every zone, as a difference-in-differences (DiD) rate ratio.

Reads only (crime, reference areas with IMD, zones). The units are LSOAs: the zone's own LSOAs
(treated) and comparison LSOAs that are in no zone, lie in a local authority of the same type
and have one of the IMD deciles of the zone's LSOAs. Crimes are counted by police.uk's LSOA
code, the same way for both. The estimate is from a Poisson GLM (statsmodels) with a fixed
effect for each LSOA and each month and one term for "zone LSOA, on or after the start month":
its exponent is the rate ratio. When the counts vary clearly more than Poisson allows (Pearson
dispersion above `OVERDISPERSION`), the same model's standard errors are made cluster-robust by
LSOA, which also allows for counts of one area being correlated from month to month. See
docs/insight.md, "Impact against comparison areas".
"""

import datetime
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from numpy.typing import NDArray

from peoplezones.insight import crime_store
from peoplezones.insight.comparison import (
    ComparisonAreas,
    comparison_areas,
    month_list,
    zones_lsoa_codes,
)
from peoplezones.zones.models import Zone

# Pearson chi-squared over residual degrees of freedom above which counts are "clearly"
# overdispersed and the standard errors become cluster-robust by area.
OVERDISPERSION = 1.5
# Fewer months than this on either side of the start get a "small numbers" warning.
FEW_MONTHS = 6
# Fewer crimes than this in the zone on either side of the start get one too.
FEW_CRIMES = 50
# Fewer comparison LSOAs than this get a warning too.
FEW_COMPARISON_AREAS = 10


class ImpactError(ValueError):
    """A question the impact analysis cannot answer, with a message for the person asking and
    (when it is about one) the name of the parameter at fault: zone, start or crime_types."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- zones, their LSOAs and comparison areas ----------------------------------------------


def lsoa_zones() -> dict[str, Zone]:
    """Each LSOA code that belongs to a zone, with its zone (by `comparison.zones_lsoa_codes`)."""
    zones = {zone.pk: zone for zone in Zone.objects.filter(boundary__isnull=False)}
    return {
        code: zones[zone_id]
        for zone_id, codes in zones_lsoa_codes(list(zones.values())).items()
        for code in codes
    }


def matched_areas(*, zone: Zone) -> ComparisonAreas:
    """The zone's LSOAs and its comparison LSOAs (`comparison.comparison_areas`: same type of
    district, an IMD decile of the zone's LSOAs, in no zone, in the force area, crime stored).

    Raises ImpactError when there is nothing to compare.
    """
    areas = comparison_areas(zone=zone)
    if not areas.zone_lsoas:
        raise ImpactError(
            _(
                "No LSOA is known to be in %(zone)s: import the LSOA boundaries "
                "(manage.py import_areas) or police.uk crime for the zone first."
            )
            % {"zone": zone.name}
        )
    if not areas.deciles:
        raise ImpactError(
            _(
                "The LSOAs of %(zone)s have no IMD decile: import the IMD 2019 file first "
                "(manage.py import_imd)."
            )
            % {"zone": zone.name}
        )
    if not areas.comparison_codes:
        raise ImpactError(
            _(
                "No LSOA outside the zones matches %(zone)s (a %(type)s, IMD deciles "
                "%(deciles)s, with police.uk crime stored): import IMD, district boundaries and "
                "police.uk crime for the whole force area, not only the zones."
            )
            % {
                "zone": zone.name,
                "type": areas.lad_type_label,
                "deciles": ", ".join(str(d) for d in areas.deciles),
            }
        )
    return areas


# --- the statistics ------------------------------------------------------------------------


@dataclass
class DidEstimate:
    """exp(the DiD coefficient) with its 95 % interval, and how it was estimated."""

    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    coefficient: float
    standard_error: float
    method: str  # "poisson" or "poisson_cluster"
    dispersion: float
    observations: int
    areas: int
    treated_areas: int
    months: int

    @property
    def percent_change(self) -> float:
        return (self.rate_ratio - 1) * 100

    @property
    def covers_one(self) -> bool:
        return self.ci_low <= 1 <= self.ci_high

    def as_dict(self) -> dict[str, Any]:
        return {
            "rate_ratio": self.rate_ratio,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "coefficient": self.coefficient,
            "standard_error": self.standard_error,
            "method": self.method,
            "dispersion": self.dispersion,
            "observations": self.observations,
            "areas": self.areas,
            "treated_areas": self.treated_areas,
            "months": self.months,
        }


def _fixed_effects_design(
    areas: NDArray[np.intp], months: NDArray[np.intp], n_areas: int, n_months: int
) -> NDArray[np.float64]:
    """Intercept, a dummy per area but the first and per month but the first."""
    design = np.zeros((len(areas), n_areas + n_months - 1))
    design[:, 0] = 1.0
    rows = np.arange(len(areas))
    has_area = areas > 0
    design[rows[has_area], areas[has_area]] = 1.0
    has_month = months > 0
    design[rows[has_month], n_areas - 1 + months[has_month]] = 1.0
    return design


def _independence_start(counts: NDArray[np.float64], extra: int) -> NDArray[np.float64]:
    """Starting values: the exact fit with area and month effects only (`extra` terms at 0).

    Rows and columns of `counts` must all have a positive total. Starting there, IRLS needs
    two or three steps instead of seven or more.
    """
    rows, columns, total = counts.sum(axis=1), counts.sum(axis=0), counts.sum()
    return np.concatenate(
        [
            [math.log(rows[0]) + math.log(columns[0]) - math.log(total)],
            np.log(rows[1:] / rows[0]),
            np.log(columns[1:] / columns[0]),
            np.zeros(extra),
        ]
    )


def _fit_poisson(y, design, groups, *, start, robust: bool | None):
    """Fit the GLM; `robust` None chooses by dispersion. Returns (result, robust, dispersion)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    model = sm.GLM(y, design, family=sm.families.Poisson())
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            # Newton's method: its Hessian is (parameters)² work, far less than IRLS's least
            # squares on the whole design, and it reaches the same maximum.
            result = model.fit(method="newton", start_params=start, maxiter=100)
            if not result.mle_retvals.get("converged", True):
                raise ConvergenceWarning("not converged")
            dispersion = float(result.pearson_chi2 / max(result.df_resid, 1.0))
            if robust is None:
                robust = dispersion > OVERDISPERSION
            if robust:
                result = model.fit(
                    method="newton",
                    start_params=result.params,
                    maxiter=100,
                    cov_type="cluster",
                    cov_kwds={"groups": groups},
                    use_t=True,
                )
        except (ConvergenceWarning, PerfectSeparationWarning, np.linalg.LinAlgError) as error:
            raise ImpactError(
                _(
                    "The model could not be fitted to these counts (%(error)s): they are too few "
                    "or too uneven. Choose more crime types or a start month with more months "
                    "on both sides."
                )
                % {"error": type(error).__name__}
            ) from None
    return result, robust, dispersion


def did_poisson(
    counts: NDArray[np.float64],
    treated: NDArray[np.bool_],
    post: NDArray[np.bool_],
    *,
    robust: bool | None = None,
) -> DidEstimate:
    """The DiD rate ratio from counts[area, month] by a Poisson GLM with area and month effects.

    `treated` marks the zone's areas, `post` the months on or after the start. Areas and months
    with no count at all are left out (their fixed effect would be minus infinity). Standard
    errors are cluster-robust by area when `robust`, or (None) when Pearson dispersion is over
    OVERDISPERSION. Raises ImpactError when the zone or the comparison has no crime before or
    after the start.
    """
    counts = np.asarray(counts, float)
    treated = np.asarray(treated, bool)
    post = np.asarray(post, bool)
    keep_areas = counts.sum(axis=1) > 0
    counts, treated = counts[keep_areas], treated[keep_areas]
    keep_months = counts.sum(axis=0) > 0
    counts, post = counts[:, keep_months], post[keep_months]
    for label, rows in ((_("the zone"), treated), (_("the comparison areas"), ~treated)):
        for when, columns in ((_("before"), ~post), (_("on or after"), post)):
            if counts[np.ix_(rows, columns)].sum() == 0:
                raise ImpactError(
                    _(
                        "There are no crimes of these types in %(who)s %(when)s the start month, "
                        "so no change can be estimated."
                    )
                    % {"who": label, "when": when}
                )
    n_areas, n_months = counts.shape
    areas, months = np.meshgrid(np.arange(n_areas), np.arange(n_months), indexing="ij")
    areas, months = areas.ravel(), months.ravel()
    y = counts.ravel()
    design = np.column_stack(
        [
            _fixed_effects_design(areas, months, n_areas, n_months),
            (treated[areas] & post[months]).astype(float),
        ]
    )
    result, robust_used, dispersion = _fit_poisson(
        y, design, areas, start=_independence_start(counts, 1), robust=robust
    )
    beta = float(result.params[-1])
    se = float(result.bse[-1])
    low, high = (float(x) for x in np.asarray(result.conf_int(alpha=0.05))[-1])
    return DidEstimate(
        rate_ratio=math.exp(beta),
        ci_low=math.exp(low),
        ci_high=math.exp(high),
        p_value=float(result.pvalues[-1]),
        coefficient=beta,
        standard_error=se,
        method="poisson_cluster" if robust_used else "poisson",
        dispersion=dispersion,
        observations=len(y),
        areas=int(n_areas),
        treated_areas=int(treated.sum()),
        months=int(n_months),
    )


@dataclass
class PreTrend:
    """Before the start: the zone's trend relative to the comparison, as a rate ratio a year."""

    ratio_per_year: float
    ci_low: float
    ci_high: float

    @property
    def diverging(self) -> bool:
        return not self.ci_low <= 1 <= self.ci_high


def pre_trend(
    counts: NDArray[np.float64], treated: NDArray[np.bool_], post: NDArray[np.bool_]
) -> PreTrend | None:
    """The difference in linear trend before the start (a check of "parallel trends").

    Poisson with area and month effects and a zone-by-month-index term, on the months before
    the start only (at least three). None when it cannot be estimated.
    """
    counts = np.asarray(counts, float)[:, ~np.asarray(post, bool)]
    treated = np.asarray(treated, bool)
    keep = counts.sum(axis=1) > 0
    counts, treated = counts[keep], treated[keep]
    counts = counts[:, counts.sum(axis=0) > 0]
    if counts.shape[1] < 3 or not treated.any() or treated.all():
        return None
    n_areas, n_months = counts.shape
    areas, months = np.meshgrid(np.arange(n_areas), np.arange(n_months), indexing="ij")
    areas, months = areas.ravel(), months.ravel()
    years = (months - (n_months - 1) / 2) / 12
    design = np.column_stack(
        [
            _fixed_effects_design(areas, months, n_areas, n_months),
            np.where(treated[areas], years, 0.0),
        ]
    )
    try:
        result, _robust, _dispersion = _fit_poisson(
            counts.ravel(), design, areas, start=_independence_start(counts, 1), robust=None
        )
    except ImpactError:
        return None
    beta = float(result.params[-1])
    low, high = (float(x) for x in np.asarray(result.conf_int(alpha=0.05))[-1])
    if not all(math.isfinite(v) for v in (beta, low, high)):
        return None
    return PreTrend(math.exp(beta), math.exp(low), math.exp(high))


# --- the analysis --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactParams:
    """A zone (slug), the first month of the intervention, and the crime types (empty: all)."""

    zone: str
    start: datetime.date
    crime_types: tuple[str, ...] = ()


@dataclass
class MonthRow:
    month: datetime.date
    after: bool
    has_data: bool
    zone: int
    comparison: int
    comparison_per_area: float
    zone_per_area: float


@dataclass
class PeriodSummary:
    months: int
    zone: int
    comparison: int
    zone_per_month: float
    comparison_per_month: float


@dataclass
class ImpactResult:
    zone: Zone
    start: datetime.date
    crime_types: tuple[str, ...]
    areas: ComparisonAreas
    zone_codes: list[str]
    comparison_codes: list[str]
    months: list[MonthRow]
    before: PeriodSummary
    after: PeriodSummary
    estimate: DidEstimate
    trend: PreTrend | None
    reading: list[str]
    caveats: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def crude_ratio(self) -> float | None:
        """(zone after / before) over (comparison after / before), per month: a sanity check."""
        b, a = self.before, self.after
        if not (b.zone and b.comparison and a.comparison):
            return None
        return (a.zone_per_month / b.zone_per_month) / (
            a.comparison_per_month / b.comparison_per_month
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone.slug,
            "zone_name": self.zone.name,
            "start": f"{self.start:%Y-%m}",
            "crime_types": list(self.crime_types),
            "zone_lsoas": self.zone_codes,
            "comparison_lsoas": self.comparison_codes,
            "comparison_rule": {
                "district": self.areas.lad_code,
                "district_type": self.areas.lad_type,
                "zone_lsoas_by_imd_decile": self.areas.deciles,
                "comparison_lsoas_by_imd_decile": {
                    decile: len(self.areas.comparison.get(decile, []))
                    for decile in self.areas.deciles
                },
                "left_out": self.areas.left_out,
            },
            "months": [
                {
                    "month": f"{row.month:%Y-%m}",
                    "period": "after" if row.after else "before",
                    "has_data": row.has_data,
                    "zone": row.zone,
                    "comparison": row.comparison,
                    "comparison_per_area": round(row.comparison_per_area, 4),
                }
                for row in self.months
            ],
            "before": self.before.__dict__,
            "after": self.after.__dict__,
            "estimate": self.estimate.as_dict(),
            "pre_trend": None if self.trend is None else self.trend.__dict__,
            "reading": self.reading,
            "caveats": self.caveats,
            "warnings": self.warnings,
        }


def crime_type_names(asked: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The stored crime type names meant by `asked` (names or slugs, any case), sorted."""
    if not asked:
        return ()
    known = crime_store.crime_types_stored()
    by_key = {name.lower(): name for name in known} | {slugify(name): name for name in known}
    chosen, unknown = set(), []
    for item in asked:
        name = by_key.get(item.strip().lower()) or by_key.get(slugify(item))
        if name is None:
            unknown.append(item)
        else:
            chosen.add(name)
    if unknown:
        raise ImpactError(
            ngettext(
                "Unknown crime type: %(unknown)s. Stored types: %(known)s.",
                "Unknown crime types: %(unknown)s. Stored types: %(known)s.",
                len(unknown),
            )
            % {
                "unknown": ", ".join(unknown),
                "known": ", ".join(known) or _("none (import crime first)"),
            },
            field="crime_types",
        )
    return tuple(sorted(chosen))


def crime_months() -> list[datetime.date]:
    """Every month with any crime imported, oldest first."""
    return crime_store.months_stored()


STEPS = ("check", "areas", "counts", "model", "trend")


def impact_analyse(
    params: ImpactParams, *, progress: Callable[[str], None] | None = None
) -> ImpactResult:
    """Monthly counts before and after the start in the zone and its comparison LSOAs, and the
    DiD rate ratio with its interval and a plain reading. Reads only.

    Raises ImpactError, with a message for the person asking, for an unknown zone or crime type,
    a start month in the future or outside the months imported, a zone without LSOAs, no
    comparison LSOAs, or no crime to compare. `progress` is called with each of STEPS.
    """
    step = progress or (lambda name: None)
    step("check")
    zone = Zone.objects.filter(slug=params.zone).first()
    if zone is None:
        known = ", ".join(Zone.objects.order_by("slug").values_list("slug", flat=True))
        raise ImpactError(
            _("There is no zone “%(slug)s”. Zones: %(known)s.")
            % {"slug": params.zone, "known": known or _("none")},
            field="zone",
        )
    start = params.start.replace(day=1)
    if start > timezone.localdate().replace(day=1):
        raise ImpactError(
            _("The start month %(start)s is in the future.") % {"start": f"{start:%Y-%m}"},
            field="start",
        )
    crime_types = crime_type_names(params.crime_types)
    data_months = crime_months()
    if not data_months:
        raise ImpactError(_("No police.uk crime is imported yet (manage.py import_police_uk)."))
    first, last = data_months[0], data_months[-1]
    if start <= first:
        raise ImpactError(
            _(
                "There is no crime data before %(start)s: the first month imported is %(first)s. "
                "Choose a later start month, or import earlier months."
            )
            % {"start": f"{start:%Y-%m}", "first": f"{first:%Y-%m}"},
            field="start",
        )
    if start > last:
        raise ImpactError(
            _(
                "There is no crime data for %(start)s or later: the last month imported is "
                "%(last)s (police.uk publishes about two months after a month ends)."
            )
            % {"start": f"{start:%Y-%m}", "last": f"{last:%Y-%m}"},
            field="start",
        )
    step("areas")
    areas = matched_areas(zone=zone)
    zone_codes = sorted(areas.zone_lsoa_codes)
    comparison_codes = sorted(areas.comparison_codes)
    months = month_list(first, last)
    with_data = set(data_months)
    codes = zone_codes + comparison_codes
    index = {code: i for i, code in enumerate(codes)}
    month_index = {month: j for j, month in enumerate(months)}
    step("counts")
    counts = np.zeros((len(codes), len(months)))
    crimes = crime_store.crime_frame(
        lsoa_codes=codes, month_from=first, month_to=last, crime_types=crime_types or None
    )
    for (code, month), n in crime_store.count_by(crimes, "lsoa_code", "month").items():
        counts[index[code], month_index[month]] = n
    treated = np.array([i < len(zone_codes) for i in range(len(codes))])
    has_data = np.array([month in with_data for month in months])
    post = np.array([month >= start for month in months])
    if counts[~treated].sum() == 0:
        raise ImpactError(
            _(
                "None of the %(n)s comparison LSOAs has any crime of these types recorded: "
                "import police.uk crime for the whole force area, not only the zones."
            )
            % {"n": len(comparison_codes)}
        )
    step("model")
    estimate = did_poisson(counts[:, has_data], treated, post[has_data])
    step("trend")
    trend = pre_trend(counts[:, has_data], treated, post[has_data])
    rows = [
        MonthRow(
            month=month,
            after=bool(post[j]),
            has_data=bool(has_data[j]),
            zone=int(counts[treated, j].sum()),
            comparison=int(counts[~treated, j].sum()),
            comparison_per_area=float(counts[~treated, j].mean()),
            zone_per_area=float(counts[treated, j].mean()),
        )
        for j, month in enumerate(months)
    ]
    before = _period([row for row in rows if row.has_data and not row.after])
    after = _period([row for row in rows if row.has_data and row.after])
    result = ImpactResult(
        zone=zone,
        start=start,
        crime_types=crime_types,
        areas=areas,
        zone_codes=zone_codes,
        comparison_codes=comparison_codes,
        months=rows,
        before=before,
        after=after,
        estimate=estimate,
        trend=trend,
        reading=[],
        caveats=caveats(),
    )
    result.warnings = _warnings(result)
    result.reading = reading(result)
    return result


def _period(rows: list[MonthRow]) -> PeriodSummary:
    n = len(rows)
    zone = sum(row.zone for row in rows)
    comparison = sum(row.comparison for row in rows)
    return PeriodSummary(
        months=n,
        zone=zone,
        comparison=comparison,
        zone_per_month=zone / n if n else 0.0,
        comparison_per_month=comparison / n if n else 0.0,
    )


def _warnings(result: ImpactResult) -> list[str]:
    notes = []
    missing = [f"{row.month:%Y-%m}" for row in result.months if not row.has_data]
    if missing:
        notes.append(
            _("No crime is imported for %(months)s; those months are left out.")
            % {"months": ", ".join(missing)}
        )
    if min(result.before.months, result.after.months) < FEW_MONTHS:
        notes.append(
            _(
                "Only %(before)s months before and %(after)s after the start: with so few "
                "months the estimate rests on little data and a one-off month can move it."
            )
            % {"before": result.before.months, "after": result.after.months}
        )
    if min(result.before.zone, result.after.zone) < FEW_CRIMES:
        notes.append(
            _(
                "Small numbers: %(before)s crimes in the zone before the start and %(after)s "
                "after. Differences this small are easily chance."
            )
            % {"before": result.before.zone, "after": result.after.zone}
        )
    if len(result.comparison_codes) < FEW_COMPARISON_AREAS:
        notes.append(
            ngettext(
                "Only %(n)s comparison LSOA matches the zone: what happened in it weighs heavily, "
                "and the interval is less reliable.",
                "Only %(n)s comparison LSOAs match the zone: what happened in them weighs "
                "heavily, and the interval is less reliable.",
                len(result.comparison_codes),
            )
            % {"n": len(result.comparison_codes)}
        )
    if result.trend is not None and result.trend.diverging:
        notes.append(
            _(
                "Before the start, crime in the zone was already changing differently from the "
                "comparison areas (by %(pct)s a year, 95%% interval %(low)s to %(high)s), so the "
                "comparison areas may not show what would have happened in the zone."
            )
            % {
                "pct": _signed_percent(result.trend.ratio_per_year),
                "low": _signed_percent(result.trend.ci_low),
                "high": _signed_percent(result.trend.ci_high),
            }
        )
    if result.estimate.method == "poisson_cluster" and result.estimate.treated_areas < 10:
        notes.append(
            ngettext(
                "The zone has only %(n)s LSOA, and cluster-robust intervals are less reliable "
                "with few treated areas: read the interval as approximate.",
                "The zone has only %(n)s LSOAs, and cluster-robust intervals are less reliable "
                "with few treated areas: read the interval as approximate.",
                result.estimate.treated_areas,
            )
            % {"n": result.estimate.treated_areas}
        )
    return notes


def _signed_percent(ratio: float) -> str:
    change = (ratio - 1) * 100
    return f"{change:+.0f} %" if abs(change) >= 1 else f"{change:+.1f} %"


def format_ratio(value: float) -> str:
    return f"{value:.2f}"


def reading(result: ImpactResult) -> list[str]:
    """What the estimate says, in plain English, and what it cannot say."""
    est = result.estimate
    values = {
        "zone": result.zone.name,
        "start": f"{result.start:%Y-%m}",
        "types": ", ".join(result.crime_types) or _("all crime and anti-social behaviour"),
        "n": len(result.comparison_codes),
        "ratio": format_ratio(est.rate_ratio),
        "low": format_ratio(est.ci_low),
        "high": format_ratio(est.ci_high),
        "pct": f"{abs(est.percent_change):.0f}",
    }
    if est.rate_ratio < 1:
        headline = _(
            "From %(start)s, recorded %(types)s in %(zone)s was about %(pct)s %% lower than "
            "expected from how it changed in %(n)s similar LSOAs outside the zones (rate ratio "
            "%(ratio)s, 95 %% confidence interval %(low)s to %(high)s)."
        )
    else:
        headline = _(
            "From %(start)s, recorded %(types)s in %(zone)s was about %(pct)s %% higher than "
            "expected from how it changed in %(n)s similar LSOAs outside the zones (rate ratio "
            "%(ratio)s, 95 %% confidence interval %(low)s to %(high)s)."
        )
    if est.covers_one:
        meaning = _(
            "The interval includes 1 (no difference), so these figures are consistent with no "
            "change relative to the comparison areas: they neither show an effect nor rule out "
            "a modest one either way."
        )
    elif est.rate_ratio < 1:
        meaning = _(
            "The whole interval is below 1, so a fall relative to the comparison areas this "
            "large is unlikely to be chance alone, if the model's assumptions hold."
        )
    else:
        meaning = _(
            "The whole interval is above 1, so a rise relative to the comparison areas this "
            "large is unlikely to be chance alone, if the model's assumptions hold. More "
            "recorded crime can also mean more reporting, for example when residents trust "
            "the police more."
        )
    cannot = _(
        "It is not proof that the People Zone caused the difference. It assumes that, without "
        "the zone, crime in the zone would have changed as it did in the comparison areas."
    )
    return [headline % values, meaning, cannot]


def caveats() -> list[str]:
    """What the estimate cannot show, for every reading of it."""
    return [
        _(
            "Not causal proof: the comparison areas are matched only on deprivation decile and "
            "kind of council, and may differ from the zone in other ways that matter."
        ),
        _(
            "Other things happening at the same time (policing operations, other projects, "
            "COVID-19 lockdowns, new housing) can cause a difference the model gives to the zone."
        ),
        _(
            "Recording and reporting change: police.uk counts crimes recorded, not crimes "
            "committed, and a campaign that builds trust can raise reports."
        ),
        _(
            "Snap points: police.uk moves each crime to an anonymous nearby point and gives its "
            "LSOA, so crimes near a zone's edge can be counted on the wrong side of it."
        ),
        _(
            "Small numbers: an LSOA records a few crimes of a type a month, so single months "
            "jump about; a change in a few types or months can be chance."
        ),
        _(
            "Crime can move to (or good effects spread to) neighbouring areas, which this "
            "comparison does not measure."
        ),
    ]
