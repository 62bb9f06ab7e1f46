"""The payback rule with straight-line distances: opening hours against sessions, the 800 m
edge, the pace, what a facility must have, and the reasons given when a site fails."""

import datetime
import math

import pytest

from peoplezones.core import geo
from peoplezones.payback.rules import (
    Facility,
    Planner,
    Rule,
    Session,
    Site,
    open_throughout,
    tenths_up,
)

LAT, LON = 52.638, -1.185
T = datetime.time.fromisoformat
WEEKDAYS = [{"day": day, "opens": "09:00", "closes": "17:00"} for day in range(5)]
TUESDAY_MORNING = Session(weekday=1, starts=T("10:00"), ends=T("13:00"))
SATURDAY_MORNING = Session(weekday=5, starts=T("09:00"), ends=T("12:00"))


def north(metres: float) -> float:
    """The latitude `metres` due north of LAT on the sphere haversine_m uses."""
    return LAT + math.degrees(metres / geo.EARTH_RADIUS_M)


def facility(metres: float, *, id: int = 1, **kwargs) -> Facility:
    values = {
        "name": f"Facility {id}",
        "toilets": True,
        "water": True,
        "opening_hours": WEEKDAYS,
        **kwargs,
    }
    return Facility(id=id, lat=north(metres), lon=LON, **values)


def site(*sessions: Session) -> Site:
    return Site(id=1, name="Brook path", lat=LAT, lon=LON, sessions=sessions or (TUESDAY_MORNING,))


def judge(facilities, the_site=None, rule=None):
    return Planner(facilities=facilities, rule=rule or Rule()).judge(the_site or site())


def test_north_builds_points_at_the_distance_asked():
    assert geo.haversine_m(lat1=LAT, lon1=LON, lat2=north(800), lon2=LON) == pytest.approx(
        800, abs=1e-6
    )


@pytest.mark.parametrize(
    ("hours", "session", "covered"),
    [
        (WEEKDAYS, TUESDAY_MORNING, True),
        (WEEKDAYS, SATURDAY_MORNING, False),  # closed on Saturdays
        ([{"day": 1, "opens": "10:00", "closes": "13:00"}], TUESDAY_MORNING, True),  # exactly
        ([{"day": 1, "opens": "10:30", "closes": "17:00"}], TUESDAY_MORNING, False),  # opens late
        ([{"day": 1, "opens": "09:00", "closes": "12:59"}], TUESDAY_MORNING, False),  # shuts early
        ([{"day": 2, "opens": "09:00", "closes": "17:00"}], TUESDAY_MORNING, False),  # other day
        (
            # Two periods that meet cover the session between them.
            [
                {"day": 1, "opens": "09:00", "closes": "11:00"},
                {"day": 1, "opens": "11:00", "closes": "14:00"},
            ],
            TUESDAY_MORNING,
            True,
        ),
        (
            # A lunch break inside the session leaves the team without welfare for an hour.
            [
                {"day": 1, "opens": "09:00", "closes": "11:00"},
                {"day": 1, "opens": "12:00", "closes": "14:00"},
            ],
            TUESDAY_MORNING,
            False,
        ),
        ([], TUESDAY_MORNING, False),  # no hours recorded: not known to be open
    ],
)
def test_open_throughout_needs_every_hour_of_the_session(hours, session, covered):
    assert (
        open_throughout(hours, weekday=session.weekday, starts=session.starts, ends=session.ends)
        is covered
    )


@pytest.mark.parametrize(
    ("metres", "qualifies"),
    [(0, True), (799.9, True), (800, True), (800.0009, True), (800.01, False), (801, False)],
)
def test_a_facility_at_exactly_800_m_is_within_a_10_minute_walk(metres, qualifies):
    verdict = judge([facility(metres)])

    assert verdict.qualifies is qualifies
    assert verdict.sessions[0].nearest.straight_m == pytest.approx(metres, abs=1e-6)


def test_the_reason_names_the_session_the_facility_and_the_walk():
    verdict = judge([facility(1120, name="Braunstone Library")])

    assert not verdict.qualifies
    assert verdict.reasons == [
        "Tuesday 10:00–13:00: the nearest open facility, Braunstone Library, is 14.0 minutes "
        "away (1,120 m in a straight line); the limit is 10 minutes."
    ]


def test_a_walk_just_over_the_limit_never_reads_as_within_it():
    verdict = judge([facility(801)])

    assert "10.1 minutes away" in verdict.reasons[0]
    assert tenths_up(560 / 80) == 7.0


def test_a_closed_facility_does_not_count_however_near():
    saturday = site(SATURDAY_MORNING)

    verdict = judge([facility(50)], saturday)

    assert not verdict.qualifies
    assert verdict.reasons == [
        "Saturday 09:00–12:00: no facility with toilets and water is open all through it."
    ]
    assert verdict.nearest.facility.id == 1  # still shown as the nearest, at any hour


def test_the_nearest_open_facility_is_used_not_the_nearest():
    closed_on_saturday = facility(100, id=1)
    open_on_saturday = facility(
        700, id=2, opening_hours=[{"day": 5, "opens": "08:00", "closes": "16:00"}]
    )

    verdict = judge([closed_on_saturday, open_on_saturday], site(SATURDAY_MORNING))

    assert verdict.qualifies
    assert verdict.sessions[0].nearest.facility.id == 2
    assert verdict.sessions[0].open_count == 1
    assert verdict.nearest.facility.id == 1


def test_every_session_must_qualify():
    verdict = judge([facility(300)], site(TUESDAY_MORNING, SATURDAY_MORNING))

    assert [s.qualifies for s in verdict.sessions] == [True, False]
    assert not verdict.qualifies
    assert len(verdict.reasons) == 1


def test_always_open_facilities_count_at_any_hour():
    verdict = judge([facility(300, opening_hours=[], always_open=True)], site(SATURDAY_MORNING))

    assert verdict.qualifies


def test_the_slower_pace_shrinks_the_distance():
    near = [facility(600)]

    assert judge(near, rule=Rule(pace=80)).qualifies  # 7.5 minutes
    slower = judge(near, rule=Rule(pace=50))
    assert not slower.qualifies  # 12 minutes
    assert "12.0 minutes away" in slower.reasons[0]
    assert judge(near, rule=Rule(minutes=12, pace=50)).qualifies


def test_a_facility_without_what_is_needed_does_not_count():
    no_water = facility(100, water=False)

    verdict = judge([no_water])

    assert not verdict.qualifies
    assert verdict.reasons == [
        "Tuesday 10:00–13:00: no facility with toilets and water is recorded."
    ]
    assert judge([no_water], rule=Rule(needs=("toilets",))).qualifies
    assert not judge([no_water], rule=Rule(needs=("toilets", "shelter"))).qualifies


def test_a_site_with_no_sessions_or_no_facilities_does_not_qualify():
    no_sessions = Site(id=2, name="Empty", lat=LAT, lon=LON, sessions=())

    assert judge([facility(10)], no_sessions).reasons == ["No session times are set for this site."]
    assert judge([]).reasons == ["Tuesday 10:00–13:00: no welfare facilities are recorded yet."]
