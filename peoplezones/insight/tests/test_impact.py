"""Impact against comparison areas: the DiD estimate on synthetic data with a known effect, the
analysis on stored crime, bad input, and the command."""

import datetime
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from peoplezones.core import geo
from peoplezones.insight.impact import (
    ImpactError,
    ImpactParams,
    did_poisson,
    impact_analyse,
    pre_trend,
)
from peoplezones.insight.models import CrimeBatch, ReferenceArea
from peoplezones.insight.tests.factories import store_crimes
from peoplezones.zones.tests.factories import ZoneFactory

MONTHS = [datetime.date(2020 + (m // 12), m % 12 + 1, 1) for m in range(24)]  # 2020-01 .. 2021-12
START = datetime.date(2021, 1, 1)


def synthetic_counts(
    *, effect: float, seed: int, areas: int = 40, treated: int = 6, months: int = 24, mean=6.0
):
    """Counts[area, month] with area and month effects, `effect` times the rate in the treated
    areas from month 12 on, and Poisson noise from a fixed seed."""
    rng = np.random.default_rng(seed)
    base = rng.gamma(4.0, mean / 4.0, size=areas)
    season = 1 + 0.25 * np.sin(np.arange(months) / 1.9)
    is_treated = np.arange(areas) < treated
    is_post = np.arange(months) >= 12
    rate = base[:, None] * season[None, :] * np.where(is_treated[:, None] & is_post, effect, 1.0)
    return rng.poisson(rate), is_treated, is_post


# --- the estimator -------------------------------------------------------------------------


def test_did_poisson_recovers_a_known_thirty_percent_fall():
    counts, treated, post = synthetic_counts(effect=0.7, seed=7)

    estimate = did_poisson(counts, treated, post)

    assert estimate.ci_low < 0.7 < estimate.ci_high
    assert estimate.rate_ratio == pytest.approx(0.7, abs=0.07)
    assert estimate.ci_high < 1  # a fall this size on this much data is found
    assert estimate.method == "poisson"  # Poisson noise: no overdispersion
    assert estimate.dispersion == pytest.approx(1.0, abs=0.2)
    assert (estimate.treated_areas, estimate.areas, estimate.months) == (6, 40, 24)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_did_poisson_with_no_effect_covers_one(seed):
    counts, treated, post = synthetic_counts(effect=1.0, seed=seed)

    estimate = did_poisson(counts, treated, post)

    assert estimate.covers_one
    assert estimate.rate_ratio == pytest.approx(1.0, abs=0.12)


def test_did_poisson_equals_the_textbook_two_by_two_estimate():
    """With a fixed effect per area and month and one DiD term, the Poisson estimate is the ratio
    of the four totals, and its standard error sqrt(sum of 1/total): a check from first
    principles on what statsmodels returns."""
    counts, treated, post = synthetic_counts(effect=0.8, seed=11, areas=25, treated=5)
    za, zb = counts[treated][:, post].sum(), counts[treated][:, ~post].sum()
    ca, cb = counts[~treated][:, post].sum(), counts[~treated][:, ~post].sum()

    estimate = did_poisson(counts, treated, post, robust=False)

    assert estimate.rate_ratio == pytest.approx((za / zb) / (ca / cb), rel=1e-9)
    assert estimate.standard_error == pytest.approx(
        np.sqrt(1 / za + 1 / zb + 1 / ca + 1 / cb), rel=1e-6
    )


def test_did_poisson_with_overdispersion_uses_cluster_robust_errors():
    rng = np.random.default_rng(5)
    areas, months = 60, 24
    base = rng.gamma(4.0, 2.0, size=areas)
    treated = np.arange(areas) < 10
    post = np.arange(months) >= 12
    rate = base[:, None] * np.where(treated[:, None] & post, 0.7, 1.0) * np.ones(months)
    # Gamma-Poisson (negative binomial) noise: variance far above the mean.
    counts = rng.poisson(rate * rng.gamma(2.0, 0.5, size=rate.shape))

    estimate = did_poisson(counts, treated, post)
    plain = did_poisson(counts, treated, post, robust=False)

    assert estimate.dispersion > 1.5
    assert estimate.method == "poisson_cluster"
    assert estimate.ci_low < 0.7 < estimate.ci_high
    assert estimate.rate_ratio == pytest.approx(plain.rate_ratio)  # same point estimate
    assert estimate.standard_error > plain.standard_error  # a wider, honest interval


def test_did_poisson_leaves_out_empty_areas_and_months():
    counts, treated, post = synthetic_counts(effect=0.7, seed=7)
    padded = np.vstack([counts, np.zeros((3, counts.shape[1]), int)])
    padded = np.hstack([padded, np.zeros((padded.shape[0], 1), int)])

    estimate = did_poisson(
        padded, np.concatenate([treated, [False] * 3]), np.concatenate([post, [True]])
    )

    assert estimate.rate_ratio == pytest.approx(did_poisson(counts, treated, post).rate_ratio)
    assert (estimate.areas, estimate.months) == (40, 24)


def test_did_poisson_refuses_a_zone_without_crime_after_the_start():
    counts, treated, post = synthetic_counts(effect=0.7, seed=7)
    counts[np.ix_(treated, post)] = 0

    with pytest.raises(ImpactError, match="no crimes of these types in the zone on or after"):
        did_poisson(counts, treated, post)


def test_pre_trend_finds_a_diverging_trend_before_the_start():
    rng = np.random.default_rng(2)
    areas, months = 40, 24
    treated = np.arange(areas) < 8
    post = np.arange(months) >= 12
    growth = np.where(treated[:, None], 1.08 ** np.arange(months)[None, :], 1.0)
    counts = rng.poisson(10 * growth * np.ones((areas, months)))

    trend = pre_trend(counts, treated, post)
    flat = pre_trend(*synthetic_counts(effect=1.0, seed=4))

    assert trend is not None
    assert trend.diverging
    assert trend.ratio_per_year == pytest.approx(1.08**12, rel=0.25)
    assert flat is not None
    assert not flat.diverging


# --- the analysis on stored crime ----------------------------------------------------------


def square(lon: float, lat: float, width: float, height: float | None = None) -> dict:
    """A rectangle (counter-clockwise) from its south-west corner, in degrees."""
    height = width if height is None else height
    ring = [[lon, lat], [lon + width, lat], [lon + width, lat + height], [lon, lat + height]]
    return geo.validate_geometry({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})


def make_lsoa(code: str, *, lad: str, decile: int, rank: int = 0, geometry=None, name=""):
    area = ReferenceArea(
        code=code,
        name=name or code,
        kind=ReferenceArea.Kind.LSOA,
        lad_code=lad,
        imd_rank=rank or decile * 3000 - 1000,
        imd_decile=decile,
        geometry=geometry,
    )
    if geometry:
        area.min_lon, area.min_lat, area.max_lon, area.max_lat = geo.geometry_bbox(geometry)
    area.save()
    return area


def store_counts(counts, codes, *, months=MONTHS, crime_type="Burglary", point=(52.60, -1.10)):
    """One stored crime per count, by LSOA code and month (identities unique)."""
    rows = []
    for i, code in enumerate(codes):
        for j, month in enumerate(months):
            for k in range(int(counts[i, j])):
                rows.append(
                    {
                        "month": month,
                        "crime_id": f"{code}-{month:%Y%m}-{crime_type[:3]}-{k}",
                        "latitude": point[0],
                        "longitude": point[1],
                        "location": "",
                        "lsoa_code": code,
                        "crime_type": crime_type,
                    }
                )
    store_crimes(rows)


@pytest.fixture
def zone_and_comparison(db):
    return make_zone_and_comparison()


def make_zone_and_comparison() -> dict:
    """A zone (the test square in west Leicester) made of four LSOAs in a unitary authority,
    16 matching LSOAs elsewhere, and LSOAs that must not be chosen."""
    zone = ZoneFactory(name="Test Park", slug="test-park")
    zone_codes = []
    # The zone's square, tiled by four LSOAs.
    corners = [(-1.19, 52.635), (-1.185, 52.635), (-1.19, 52.6385), (-1.185, 52.6385)]
    for i, (lon, lat) in enumerate(corners):
        code = f"E0100000{i}"
        geometry = square(lon, lat, 0.005, 0.0035)
        make_lsoa(code, lad="E06000016", decile=1 + i % 2, geometry=geometry)
        zone_codes.append(code)
    comparison_codes = [f"E0110{i:04d}" for i in range(16)]
    for i, code in enumerate(comparison_codes):
        make_lsoa(code, lad="E06000017" if i % 2 else "E06000016", decile=1 + i % 2)
    make_lsoa("E01200000", lad="E06000016", decile=5)  # another decile
    make_lsoa("E01200001", lad="E07000130", decile=1)  # a shire district
    return {"zone": zone, "zone_codes": zone_codes, "comparison_codes": comparison_codes}


def store_synthetic(setup, *, effect: float, seed: int):
    codes = setup["zone_codes"] + setup["comparison_codes"]
    counts, _treated, _post = synthetic_counts(
        effect=effect, seed=seed, areas=len(codes), treated=len(setup["zone_codes"]), mean=7.0
    )
    store_counts(counts, codes)
    # Noise that must be ignored: another type, and LSOAs outside the comparison.
    store_counts(np.ones((2, len(MONTHS))), ["E01200000", "E01200001"])
    return counts


def test_impact_analyse_recovers_a_known_fall_from_stored_crime(zone_and_comparison):
    setup = zone_and_comparison
    counts = store_synthetic(setup, effect=0.7, seed=21)
    n_zone = len(setup["zone_codes"])

    result = impact_analyse(ImpactParams(zone="test-park", start=START, crime_types=("burglary",)))

    assert result.zone_codes == sorted(setup["zone_codes"])
    assert result.comparison_codes == sorted(setup["comparison_codes"])
    assert result.crime_types == ("Burglary",)
    est = result.estimate
    assert est.ci_low < 0.7 < est.ci_high
    assert est.rate_ratio == pytest.approx(0.7, abs=0.1)
    assert [row.month for row in result.months] == MONTHS
    assert [row.zone for row in result.months] == list(counts[:n_zone].sum(axis=0))
    assert [row.comparison for row in result.months] == list(counts[n_zone:].sum(axis=0))
    assert [row.after for row in result.months] == [month >= START for month in MONTHS]
    assert (result.before.months, result.after.months) == (12, 12)
    assert result.crude_ratio == pytest.approx(est.rate_ratio, rel=1e-6)
    assert "lower than expected" in result.reading[0]
    assert "not proof" in result.reading[2]
    assert any("Snap points" in caveat for caveat in result.caveats)
    assert json.loads(json.dumps(result.as_dict()))["estimate"]["rate_ratio"] == est.rate_ratio


def test_impact_analyse_with_no_effect_covers_one(zone_and_comparison):
    store_synthetic(zone_and_comparison, effect=1.0, seed=22)

    result = impact_analyse(ImpactParams(zone="test-park", start=START))

    assert result.estimate.covers_one
    assert "consistent with no change" in result.reading[1]


def test_impact_analyse_marks_months_without_data(zone_and_comparison):
    setup = zone_and_comparison
    store_synthetic(setup, effect=0.7, seed=23)
    CrimeBatch.objects.filter(month=datetime.date(2020, 6, 1)).delete()

    result = impact_analyse(ImpactParams(zone="test-park", start=START))

    june = next(row for row in result.months if row.month == datetime.date(2020, 6, 1))
    assert not june.has_data
    assert result.before.months == 11
    assert any("2020-06" in warning for warning in result.warnings)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (ImpactParams(zone="nowhere", start=START), "zone", "There is no zone “nowhere”"),
        (ImpactParams(zone="test-park", start=datetime.date(2999, 1, 1)), "start", "future"),
        (ImpactParams(zone="test-park", start=datetime.date(2020, 1, 1)), "start", "before"),
        (ImpactParams(zone="test-park", start=datetime.date(2022, 3, 1)), "start", "2021-12"),
        (
            ImpactParams(zone="test-park", start=START, crime_types=("arson-ish",)),
            "crime_types",
            "Unknown crime type: arson-ish",
        ),
    ],
)
def test_impact_analyse_refuses_bad_input(zone_and_comparison, params, field, message):
    store_synthetic(zone_and_comparison, effect=0.7, seed=24)

    with pytest.raises(ImpactError, match=message) as caught:
        impact_analyse(params)

    assert caught.value.field == field


def test_impact_analyse_needs_crime_in_the_comparison_areas(zone_and_comparison):
    setup = zone_and_comparison
    counts, *_ = synthetic_counts(effect=0.7, seed=25, areas=4, treated=4)
    store_counts(counts, setup["zone_codes"])  # crime only in the zone, like the demo data

    with pytest.raises(ImpactError, match="No LSOA outside the zones matches Test Park"):
        impact_analyse(ImpactParams(zone="test-park", start=START))


def test_impact_analyse_needs_the_zones_lsoas(db):
    ZoneFactory(name="Empty", slug="empty")
    store_counts(np.ones((1, 24)), ["E01999999"])

    with pytest.raises(ImpactError, match="No LSOA is known to be in Empty"):
        impact_analyse(ImpactParams(zone="empty", start=START))


def test_impact_analyse_with_no_crime_imported(db):
    ZoneFactory(name="Empty", slug="empty")

    with pytest.raises(ImpactError, match=r"No police\.uk crime is imported yet"):
        impact_analyse(ImpactParams(zone="empty", start=START))


# --- the command ---------------------------------------------------------------------------


def test_impact_command_prints_counts_estimate_and_reading(zone_and_comparison):
    store_synthetic(zone_and_comparison, effect=0.7, seed=21)
    out, err = StringIO(), StringIO()

    call_command("impact", "--zone", "test-park", "--start", "2021-01", stdout=out, stderr=err)

    text = out.getvalue()
    assert "Test Park, work from 2021-01" in text
    assert "2020-01  before" in text
    assert "2021-12  after" in text
    assert "rate ratio 0." in text
    assert "95% CI" in text
    assert "What this cannot show:" in text


def test_impact_command_writes_json(zone_and_comparison):
    store_synthetic(zone_and_comparison, effect=0.7, seed=21)
    out = StringIO()

    call_command(
        "impact",
        "--zone",
        "test-park",
        "--start",
        "2021-01",
        "--types",
        "Burglary",
        "--json",
        stdout=out,
        stderr=StringIO(),
    )

    data = json.loads(out.getvalue())
    assert data["zone"] == "test-park"
    assert data["start"] == "2021-01"
    assert len(data["months"]) == 24
    assert data["estimate"]["ci_low"] < 0.7 < data["estimate"]["ci_high"]
    assert data["comparison_rule"]["district_type"] == "E06"


def test_impact_command_bad_input_is_a_clear_error(zone_and_comparison):
    store_synthetic(zone_and_comparison, effect=0.7, seed=21)

    with pytest.raises(CommandError, match="There is no zone “nope”"):
        call_command("impact", "--zone", "nope", "--start", "2021-01", stderr=StringIO())
    with pytest.raises(CommandError, match="in the future"):
        call_command("impact", "--zone", "test-park", "--start", "2999-01", stderr=StringIO())
    with pytest.raises(CommandError, match="invalid month"):
        call_command("impact", "--zone", "test-park", "--start", "2021-13", stderr=StringIO())
