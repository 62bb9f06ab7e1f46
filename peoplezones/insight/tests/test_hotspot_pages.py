"""Hotspot pages: asking for a run (a background task), its progress, its result and downloads,
and the harm weights page; per role and with bad input."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from peoplezones.core.models import AuditEvent
from peoplezones.insight import tasks
from peoplezones.insight.models import CrimeTypeWeight, HotspotRun
from peoplezones.insight.services.hotspots import STEPS, HotspotParams
from peoplezones.insight.tests.factories import CrimeFactory
from peoplezones.insight.tests.test_hotspots_command import crimes_in_zone

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2020, 3, 1)


@pytest.fixture
def team_client(client, programme_team_user):
    client.force_login(programme_team_user)
    return client


def form_data(study_zone, **changes) -> dict:
    data = {
        "area_kind": "zone",
        "zone": study_zone.slug,
        "buffer": "0",
        "lad": "",
        "month_from": "2020-03",
        "month_to": "2020-03",
        "cell_size": "150",
        "band": "450",
        "weighting": "count",
    }
    data.update(changes)
    return data


def finished_run(zone, user=None, **changes) -> HotspotRun:
    params = HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH, **changes)
    run = tasks.hotspot_run_request(params=params, actor=user)
    tasks.run_hotspot_analysis.call(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == HotspotRun.Status.DONE
    return run


STAFF_URLS = [
    ("insight:hotspots", False),
    ("insight:hotspot-run", True),
    ("insight:hotspot-run-status", True),
    ("insight:hotspot-run-geojson", True),
    ("insight:hotspot-run-csv", True),
    ("insight:harm-weights", False),
]


@pytest.mark.parametrize(("name", "needs_run"), STAFF_URLS)
def test_hotspot_pages_need_sign_in_and_the_programme_team(
    client, zone, moderator, programme_team_user, name, needs_run
):
    crimes_in_zone()
    run = finished_run(zone)
    url = reverse(name, kwargs={"pk": run.pk} if needs_run else {})

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))

    client.force_login(moderator)
    assert client.get(url).status_code == 403

    client.force_login(programme_team_user)
    assert client.get(url).status_code == 200


def test_the_request_builds_the_study_area_once(team_client, zone, monkeypatch):
    from peoplezones.insight import forms, study_areas

    built = []

    def counted(*args, **kwargs):
        built.append(args)
        return study_areas.study_area(*args, **kwargs)

    monkeypatch.setattr(forms, "study_area", counted)
    monkeypatch.setattr(tasks, "study_area", counted)
    crimes_in_zone()

    response = team_client.post(reverse("insight:hotspots"), form_data(zone))

    assert response.status_code == 302
    assert built == [(f"zone:{zone.slug}",)]


def test_posting_the_form_runs_the_analysis_in_the_background_and_shows_the_result(
    team_client, zone, programme_team_user, django_capture_on_commit_callbacks
):
    crimes_in_zone()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = team_client.post(
            reverse("insight:hotspots"),
            form_data(zone, crime_types=["Burglary"], cell_size="50", band="150"),
        )

    assert len(callbacks) == 1  # the task is enqueued once the run is committed
    run = HotspotRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:hotspot-run", kwargs={"pk": run.pk})
    assert run.status == HotspotRun.Status.DONE
    assert run.progress == 100
    assert run.crime_types == ["Burglary"]
    assert run.created_by == programme_team_user
    assert run.hot_cells > 0
    assert list(
        AuditEvent.objects.filter(target_id=str(run.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    ) == ["insight.hotspots_requested", "insight.hotspots_run"]

    page = team_client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert f"Hotspot run {run.pk}: {zone.name}, 2020-03 to 2020-03, Burglary, 50 m cells" in content
    assert '<svg class="pz-cell-map"' in content
    assert 'id="run-map-title"' in content
    assert "cross-hatched" in content  # the legend names the pattern, not only the colour
    assert "cells are British National Grid squares" in content
    assert "On or near Test Street" in content  # the places police.uk gives
    assert "Top hot cells, strongest first" in content
    assert "every cell whose centre is within 150 m of its own" in content
    assert reverse("insight:hotspot-run-csv", kwargs={"pk": run.pk}) in content
    assert "hx-get" not in content  # finished: nothing polls
    assert 'http-equiv="refresh"' not in content


def test_the_task_records_its_progress_step_by_step(zone, monkeypatch):
    crimes_in_zone()
    params = HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH)
    run = tasks.hotspot_run_request(params=params, actor=None)
    assert (run.status, run.progress) == (HotspotRun.Status.QUEUED, 0)
    seen = []
    original = tasks._mark

    def spy(run_id, **values):
        original(run_id, **values)
        stored = HotspotRun.objects.get(pk=run_id)
        seen.append((stored.status, stored.step, stored.progress))

    monkeypatch.setattr(tasks, "_mark", spy)

    result = tasks.run_hotspot_analysis.enqueue(run_id=run.pk)

    assert result.status == "SUCCESSFUL"
    assert [step for _status, step, _progress in seen] == list(STEPS)
    assert all(status == HotspotRun.Status.RUNNING for status, _step, _p in seen)
    progress = [value for _status, _step, value in seen]
    assert progress == sorted(progress)
    assert progress[0] == 0
    assert progress[-1] < 100
    run.refresh_from_db()
    assert (run.status, run.progress, run.step) == (HotspotRun.Status.DONE, 100, "")
    # A task run again (a retry) leaves a finished run alone.
    again = tasks.run_hotspot_analysis.enqueue(run_id=run.pk)
    assert again.return_value == {"run": run.pk, "status": "skipped"}
    assert HotspotRun.objects.count() == 1


def test_a_queued_run_page_polls_and_refreshes_without_javascript(team_client, zone):
    crimes_in_zone()
    params = HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH)
    run = tasks.hotspot_run_request(params=params, actor=None)  # not committed: stays queued

    content = team_client.get(reverse("insight:hotspot-run", kwargs={"pk": run.pk})).content
    content = content.decode()

    assert "Status: waiting to start" in content
    assert re.search(r'<progress id="run-progress" max="100" value="0"', content)
    status_url = reverse("insight:hotspot-run-status", kwargs={"pk": run.pk})
    assert f'hx-get="{status_url}"' in content
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in content
    assert "Check now" in content
    assert "htmx.min.js" in content


def test_status_fragment_shows_the_step_then_asks_the_page_to_reload_when_done(team_client, zone):
    crimes_in_zone()
    params = HotspotParams(area=f"zone:{zone.slug}", month_from=MARCH, month_to=MARCH)
    run = tasks.hotspot_run_request(params=params, actor=None)
    HotspotRun.objects.filter(pk=run.pk).update(
        status=HotspotRun.Status.RUNNING, step="statistics", progress=50
    )
    url = reverse("insight:hotspot-run-status", kwargs={"pk": run.pk})

    running = team_client.get(url, headers={"HX-Request": "true"})

    assert "step 4 of 6: Working out Getis-Ord Gi*, p and q" in running.content.decode()
    assert 'value="50"' in running.content.decode()
    assert "HX-Refresh" not in running.headers

    tasks.run_hotspot_analysis.call(run_id=run.pk)  # it is running elsewhere: left alone
    assert HotspotRun.objects.get(pk=run.pk).status == HotspotRun.Status.RUNNING
    HotspotRun.objects.filter(pk=run.pk).update(status=HotspotRun.Status.QUEUED)
    tasks.run_hotspot_analysis.call(run_id=run.pk)

    done = team_client.get(url, headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"
    assert "hx-get" not in done.content.decode()


def test_a_run_that_cannot_be_done_fails_with_the_reason(
    team_client, zone, django_capture_on_commit_callbacks
):
    crimes_in_zone()  # all in 2020-03 and 2020-04; burglary only in the cluster
    CrimeFactory(month=datetime.date(2020, 5, 1), latitude=52.70, longitude=-1.30)

    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            reverse("insight:hotspots"), form_data(zone, month_from="2020-05", month_to="2020-05")
        )

    run = HotspotRun.objects.get()
    assert response.status_code == 302
    assert run.status == HotspotRun.Status.FAILED
    assert "There are no crimes in" in run.error
    content = team_client.get(response["Location"]).content.decode()
    assert "The analysis could not be done:" in content
    assert "There are no crimes in" in content
    download = team_client.get(reverse("insight:hotspot-run-csv", kwargs={"pk": run.pk}))
    assert download.status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"zone": ""}, "Choose the zone to analyse."),
        ({"zone": "atlantis"}, "Select a valid choice"),
        ({"area_kind": "lad"}, "Choose the district to analyse."),
        ({"area_kind": "lad", "lad": "E06000099"}, "Select a valid choice"),
        ({"month_from": "2020-3"}, "is not a month"),
        ({"month_to": "2099-01"}, "is in the future"),
        ({"month_from": "2020-04", "month_to": "2020-03"}, "is after the last"),
        ({"band": "100"}, "smaller than the cell"),
        ({"band": "10000"}, "more than 25 cells"),
        ({"cell_size": "5"}, "greater than or equal to 10"),
        ({"cell_size": "ten"}, "Enter a whole number"),
        ({"buffer": "-1"}, "greater than or equal to 0"),
        ({"crime_types": ["Jaywalking"]}, "Select a valid choice"),
        ({"weighting": "loudness"}, "Select a valid choice"),
        ({"month_from": "2019-01", "month_to": "2019-02"}, "No crimes of those types"),
        ({"grid": "h3", "h3_resolution": "11", "band": "20"}, "neighbouring H3 hexagons"),
        ({"grid": "h3", "h3_resolution": "13"}, "Select a valid choice"),
        ({"grid": "triangles"}, "Select a valid choice"),
        ({"cell_size": ""}, "Enter the cell size for squares."),
    ],
)
def test_bad_input_is_a_400_that_keeps_what_was_typed_and_runs_nothing(
    team_client, zone, changes, message
):
    crimes_in_zone()

    response = team_client.post(reverse("insight:hotspots"), form_data(zone, **changes))

    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content
    assert HotspotRun.objects.count() == 0
    for key, value in changes.items():
        if isinstance(value, str) and key in ("month_from", "month_to", "band", "cell_size"):
            assert f'value="{value}"' in content


def test_downloads_parse_back_and_match_the_command(team_client, zone, tmp_path):
    crimes_in_zone()
    run = finished_run(zone, weighting=HotspotRun.Weighting.HARM)

    geojson = team_client.get(reverse("insight:hotspot-run-geojson", kwargs={"pk": run.pk}))
    table = team_client.get(reverse("insight:hotspot-run-csv", kwargs={"pk": run.pk}))

    assert geojson["Content-Type"] == "application/geo+json"
    assert f"hotspot-run-{run.pk}.geojson" in geojson["Content-Disposition"]
    data = json.loads(geojson.content)
    assert data["type"] == "FeatureCollection"
    assert data["hotspot_run"]["run"] == run.pk
    assert data["hotspot_run"]["weighting"] == "harm"
    assert len(data["features"]) == run.cells
    rows = list(csv.DictReader(io.StringIO(table.content.decode())))
    assert len(rows) == run.cells
    assert list(rows[0]) == ["cell_e", "cell_n", "count", "harm", "density", "z", "p", "q", "class"]
    by_cell = {(row["cell_e"], row["cell_n"]): row for row in rows}
    for feature in data["features"]:
        properties = feature["properties"]
        row = by_cell[(str(properties["cell_e"]), str(properties["cell_n"]))]
        assert float(row["z"]) == properties["z"]
        assert row["class"] == properties["class"]
    # The command, with the same parameters, gives the same cells, counts and statistics.
    output = tmp_path / "cells.csv"
    call_command(
        "hotspots", "--area", f"zone:{zone.slug}", "--from", "2020-03", "--to", "2020-03",
        "--weights", "harm", "--format", "csv", "--output", str(output), "--dry-run",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    command_rows = list(csv.DictReader(output.open()))
    assert len(command_rows) == len(rows)
    for mine, theirs in zip(rows, command_rows, strict=True):
        for column in ("cell_e", "cell_n", "count", "harm", "z", "p", "q", "class"):
            assert mine[column] == theirs[column]
        # The stored density keeps six significant figures.
        assert float(mine["density"]) == pytest.approx(float(theirs["density"]), rel=1e-5)


def test_hotspots_page_lists_recent_runs_without_a_query_per_run(
    team_client, zone, django_assert_max_num_queries
):
    crimes_in_zone()
    runs = [finished_run(zone) for _ in range(3)]

    with django_assert_max_num_queries(12):
        response = team_client.get(reverse("insight:hotspots"))

    content = response.content.decode()
    for run in runs:
        assert reverse("insight:hotspot-run", kwargs={"pk": run.pk}) in content
    assert "Burglary" in content  # a crime type to tick


def test_harm_weights_page_saves_changes_with_an_audit_event(team_client, programme_team_user):
    CrimeFactory(crime_type="Hare coursing")  # a stored type with no weight yet
    page = team_client.get(reverse("insight:harm-weights")).content.decode()
    assert "Hare coursing" in page
    assert "not the Cambridge Crime Harm Index" in page
    data = {}
    for item in CrimeTypeWeight.objects.all():
        prefix = item.crime_type.lower().replace(" ", "-")
        data[f"{prefix}-weight"] = str(item.weight)
        data[f"{prefix}-note"] = item.note
    data["robbery-weight"] = "9"
    data["hare-coursing-weight"] = "1"
    data["hare-coursing-note"] = ""

    response = team_client.post(reverse("insight:harm-weights"), data)

    assert response.status_code == 302
    assert CrimeTypeWeight.objects.get(crime_type="Robbery").weight == Decimal("9")
    assert not CrimeTypeWeight.objects.filter(crime_type="Hare coursing").exists()
    event = AuditEvent.objects.get(verb="insight.harm_weight_set")
    assert event.actor == programme_team_user
    assert event.data == {"crime_type": "Robbery", "weight": "9", "before": "8.00"}


def test_harm_weights_with_a_bad_value_save_nothing_and_keep_what_was_typed(team_client):
    data = {}
    for item in CrimeTypeWeight.objects.all():
        prefix = item.crime_type.lower().replace(" ", "-")
        data[f"{prefix}-weight"] = str(item.weight)
        data[f"{prefix}-note"] = item.note
    data["robbery-weight"] = "9"
    data["drugs-weight"] = "lots"
    data["burglary-weight"] = "-2"

    response = team_client.post(reverse("insight:harm-weights"), data)

    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was saved" in content
    assert 'value="lots"' in content
    assert 'value="-2"' in content
    assert 'value="9"' in content
    assert CrimeTypeWeight.objects.get(crime_type="Robbery").weight == Decimal("8")
    assert not AuditEvent.objects.filter(verb="insight.harm_weight_set").exists()


def test_a_run_with_too_few_crimes_says_so_on_its_page(
    team_client, zone, django_capture_on_commit_callbacks
):
    CrimeFactory(latitude=52.6365, longitude=-1.1885)

    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(reverse("insight:hotspots"), form_data(zone))
    content = team_client.get(response["Location"]).content.decode()

    assert "Too few crimes for reliable hot spots (1 counted; at least 30 are needed)" in content
    assert "govuk-warning-text" in content


def test_a_run_on_h3_hexagons_from_the_page_shows_and_downloads_hexagons(
    team_client, zone, django_capture_on_commit_callbacks
):
    crimes_in_zone()

    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            reverse("insight:hotspots"),
            form_data(zone, grid="h3", h3_resolution="11", band="150", cell_size=""),
        )

    run = HotspotRun.objects.get()
    assert response.status_code == 302
    assert (run.grid, run.h3_resolution, run.status) == ("h3", 11, HotspotRun.Status.DONE)
    content = team_client.get(response["Location"]).content.decode()
    assert "H3 hexagons, resolution 11" in content
    assert "H3 hexagon</th>" in content
    assert "cells are H3 hexagons, drawn in British National Grid metres" in content
    assert "British National Grid squares" not in content
    assert '<svg class="pz-cell-map"' in content
    rows = list(
        csv.DictReader(
            io.StringIO(
                team_client.get(
                    reverse("insight:hotspot-run-csv", kwargs={"pk": run.pk})
                ).content.decode()
            )
        )
    )
    assert len(rows) == run.cells
    assert rows[0]["h3"].startswith("8b")
