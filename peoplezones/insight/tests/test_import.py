import csv
import datetime
import gzip
import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from peoplezones.core.models import AuditEvent
from peoplezones.insight.models import CrimeBatch, ImportRun
from peoplezones.insight.selectors import crime_counts_by_type, crime_list
from peoplezones.insight.tests.factories import stored_crimes
from peoplezones.zones.tests.factories import ZoneFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
MARCH = DATA / "2020-03-leicestershire-street.csv"
JUNE = DATA / "2021-06-leicestershire-street.csv.gz"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)
ASB = (
    ",2020-03,Leicestershire Police,Leicestershire Police,-1.185,52.638,On or near Kay Road,"
    "E01013721,Leicester 012A,Anti-social behaviour,,"
)


def run(*args: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_police_uk", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_counts(rows: list[dict[str, str]]) -> dict[str, int]:
    """The sample's counts worked out here with csv alone, independently of the importer."""
    return {
        "read": len(rows),
        "asb": sum(1 for row in rows if not row["Crime ID"]),
        "without_location": sum(1 for row in rows if not row["Latitude"]),
    }


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_police_uk_counts_match_the_real_sample():
    expected = expected_counts(read_rows(MARCH))
    # The sample must exercise what the counts are about.
    assert expected["asb"] > 0
    assert expected["without_location"] > 0

    out, err = run(MARCH)

    crimes = stored_crimes()
    assert len(crimes) == expected["read"]
    assert (crimes.crime_id == "").sum() == expected["asb"]
    assert crimes.latitude.isna().sum() == expected["without_location"]
    assert not (crimes.latitude.isna() & (crimes.zone != 0)).any()
    assert CrimeBatch.objects.get().rows == expected["read"]
    run_row = ImportRun.objects.get()
    assert (run_row.rows_read, run_row.rows_stored, run_row.rows_present) == (
        expected["read"],
        expected["read"],
        0,
    )
    assert run_row.rows_without_location == expected["without_location"]
    assert run_row.rows_skipped == 0
    assert (
        f"{expected['read']} rows read, {expected['read']} stored, 0 already present, "
        f"{expected['without_location']} without location"
    ) in out
    assert "row" in err  # the progress bar goes to stderr
    event = AuditEvent.objects.get(verb="insight.crimes_imported")
    assert event.data["rows_stored"] == expected["read"]


def test_import_police_uk_twice_changes_nothing():
    expected = expected_counts(read_rows(MARCH))
    run(MARCH)
    first = list(stored_crimes().identity)
    batch = CrimeBatch.objects.get()

    out, _ = run(MARCH)

    assert list(stored_crimes().identity) == first
    assert CrimeBatch.objects.get().digest == batch.digest
    assert f"0 stored, {expected['read']} already present" in out
    # Not even the audit trail changes.
    assert ImportRun.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_import_police_uk_keeps_identical_asb_rows_apart(tmp_path):
    other_month = ASB.replace("2020-03", "2020-04")
    path = write(tmp_path / "asb.csv", HEADER, ASB, ASB, ASB, other_month)

    run(path)
    run(path)

    crimes = stored_crimes()
    assert (crimes.month == datetime.date(2020, 3, 1)).sum() == 3
    assert (crimes.month == datetime.date(2020, 4, 1)).sum() == 1
    assert crimes.identity.nunique() == 4
    assert ImportRun.objects.count() == 1


def test_import_police_uk_stores_real_repeated_asb_rows_separately():
    rows = read_rows(MARCH)
    asb = [tuple(row.values()) for row in rows if not row["Crime ID"]]
    assert len(set(asb)) < len(asb)  # the sample holds identical ASB reports

    run(MARCH)

    assert (stored_crimes().crime_id == "").sum() == len(asb)


def test_import_police_uk_reads_gzip_and_several_paths():
    march, june = expected_counts(read_rows(MARCH)), expected_counts(read_rows(JUNE))

    out, _ = run(MARCH, JUNE)

    crimes = stored_crimes()
    assert (crimes.month_key >= 2021 * 12).sum() == june["read"]
    assert len(crimes) == march["read"] + june["read"]
    assert f"Total, 2 files:\n  {march['read'] + june['read']} rows read" in out


def _other_force(text: str) -> str:
    """The same rows as if from another force: its name, and Crime IDs of its own."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rows = csv.reader(io.StringIO(text))
    writer.writerow(next(rows))
    for row in rows:
        if row[0]:
            row[0] = hashlib.sha256(f"notts{row[0]}".encode()).hexdigest()
        row[2] = row[3] = "Nottinghamshire Police"
        writer.writerow(row)
    return out.getvalue()


def _archive(tmp_path: Path) -> Path:
    text = MARCH.read_text(encoding="utf-8")
    path = tmp_path / "2020-03.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2020-03/2020-03-leicestershire-street.csv", text)
        archive.writestr("2020-03/2020-03-nottinghamshire-street.csv", _other_force(text))
        archive.writestr("2020-03/2020-03-leicestershire-outcomes.csv", "not read")
    return path


def test_import_police_uk_zip_imports_only_the_chosen_force(tmp_path):
    expected = expected_counts(read_rows(MARCH))
    archive = _archive(tmp_path)

    run(archive, "--force", "leicestershire")

    assert len(stored_crimes()) == expected["read"]
    assert set(stored_crimes().falls_within) == {"Leicestershire Police"}

    out, _ = run(archive)

    assert len(stored_crimes()) == 2 * expected["read"]
    assert CrimeBatch.objects.count() == 2
    assert f"{expected['read']} stored, 0 already present" in out
    assert f"0 stored, {expected['read']} already present" in out


def test_import_police_uk_zip_without_that_force_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no street files of the force “kent”"):
        run(_archive(tmp_path), "--force", "kent")
    assert not CrimeBatch.objects.exists()


def test_import_police_uk_lists_missing_columns_and_stores_nothing(tmp_path):
    path = write(tmp_path / "crime.csv", "Crime ID,Month,Longitude,Latitude", "x,2020-03,-1.1,52.6")

    with pytest.raises(CommandError) as error:
        run(MARCH, path)

    message = str(error.value)
    assert "not a police.uk street CSV" in message
    assert "Reported by, Falls within, Location, LSOA code" in message
    assert not CrimeBatch.objects.exists()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not a UTF-8 text file"),
        ("crime.csv.gz", b"Crime ID,Month\n", "cannot be read"),
        ("crime.zip", b"Crime ID,Month\n", "not a readable .zip archive"),
        ("crime.xlsx", b"PK\x03\x04", "Give a street CSV"),
        ("empty.csv", b"", "is empty"),
    ],
)
def test_import_police_uk_refuses_files_that_are_not_police_csv(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError, match=re.escape(message)):
        run(path)

    assert not CrimeBatch.objects.exists()


def test_import_police_uk_refuses_a_missing_path_before_storing_anything(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.csv: there is no such file"):
        run(MARCH, tmp_path / "missing.csv")

    assert not CrimeBatch.objects.exists()


def test_import_police_uk_file_unreadable_part_way_stores_nothing_from_it(tmp_path):
    path = tmp_path / "broken.csv"
    # Far enough down that the check of the header, which reads ahead, does not reach it.
    rows = "\n".join([HEADER] + [ASB] * 1000) + "\n"
    path.write_bytes(rows.encode() + b"\xff\xfe broken\n")

    with pytest.raises(CommandError) as error:
        run(path)

    assert "stops being UTF-8 text after line" in str(error.value)
    assert "Nothing was stored from this file" in str(error.value)

    assert not CrimeBatch.objects.exists()


def test_import_police_uk_skips_broken_rows_with_line_and_reason(tmp_path):
    path = write(
        tmp_path / "rows.csv",
        HEADER,
        ASB,
        ASB.replace("2020-03", "March 2020"),
        ASB.replace("2020-03", "2999-01"),
        ASB.replace("-1.185", ""),
        ASB.replace("-1.185", "west"),
        ASB.replace("Anti-social behaviour", ""),
        ",2020-03,Leicestershire Police",
        "abc,2020-03,L,L,,,No location,,,Burglary,Under investigation,",
        "abc,2020-03,L,L,,,No location,,,Burglary,Under investigation,",
    )

    with pytest.raises(CommandError, match="nothing was stored"):
        run(path)
    assert not CrimeBatch.objects.exists()

    out, _ = run(path, "--skip-errors")

    crimes = stored_crimes()
    assert len(crimes) == 2
    assert crimes[crimes.crime_id == "abc"].location.tolist() == [""]
    run_row = ImportRun.objects.get()
    assert run_row.skipped_by_reason == {
        "bad_month": 1,
        "bad_point": 1,
        "future_month": 1,
        "half_point": 1,
        "no_crime_type": 1,
        "repeated_crime_id": 1,
        "wrong_columns": 1,
    }
    assert "line 3: has the month “March 2020”, which is not YYYY-MM." in out
    assert "line 6: The point has a longitude that is not a number" in out
    assert "line 10: repeats the Crime ID" in out
    assert "skipped, month in the future: 1" in out


def test_import_police_uk_dry_run_stores_nothing():
    expected = expected_counts(read_rows(MARCH))

    out, _ = run(MARCH, "--dry-run")

    assert not CrimeBatch.objects.exists()
    assert not ImportRun.objects.exists()
    assert f"{expected['read']} would be stored" in out
    assert "Dry run: nothing was stored." in out


def test_import_police_uk_sets_the_zone_only_inside_its_boundary(tmp_path):
    # A triangle, so that part of its bbox lies outside the zone.
    triangle = {
        "type": "Polygon",
        "coordinates": [[[-1.19, 52.635], [-1.18, 52.635], [-1.19, 52.642], [-1.19, 52.635]]],
    }
    zone = ZoneFactory(boundary=triangle)
    inside = ASB.replace("-1.185,52.638", "-1.188,52.636")
    in_bbox_only = ASB.replace("-1.185,52.638", "-1.181,52.641")
    far = ASB.replace("-1.185,52.638", "-1.3,52.7")
    path = write(tmp_path / "zone.csv", HEADER, inside, in_bbox_only, far)

    run(path)

    crimes = dict(zip(stored_crimes().longitude, stored_crimes().zone, strict=True))
    assert crimes == {-1.188: zone.pk, -1.181: 0, -1.3: 0}
    assert [crime["longitude"] for crime in crime_list(user=None, zone=zone)] == [-1.188]


def test_crime_counts_by_type_counts_the_sample():
    rows = read_rows(MARCH)
    run(MARCH)

    counts = {item["crime_type"]: item["count"] for item in crime_counts_by_type(user=None)}

    assert counts["Anti-social behaviour"] == sum(1 for row in rows if not row["Crime ID"])
    assert sum(counts.values()) == len(rows)


def test_import_police_uk_crime_id_repeated_in_a_later_month_is_stored_once(tmp_path):
    # police.uk repeats a few Crime IDs in a later month's file; the first one stored wins.
    crime = (
        "abc123,2020-03,L,L,-1.185,52.638,On or near Kay Road,E01013721,Leicester 012A,Burglary,,"
    )
    march = write(tmp_path / "2020-03-street.csv", HEADER, crime, ASB)
    april = write(
        tmp_path / "2020-04-street.csv",
        HEADER,
        crime.replace("2020-03", "2020-04"),
        "def456" + crime.replace("2020-03", "2020-04")[6:],
    )

    run(march)
    out, _ = run(april)

    crimes = stored_crimes()
    assert crimes[crimes.crime_id == "abc123"].month.tolist() == [datetime.date(2020, 3, 1)]
    assert (crimes.crime_id == "def456").sum() == 1
    assert len(crimes) == 3
    assert "2 rows read, 1 stored, 1 already present" in out
    assert ImportRun.objects.get(file_name=str(april)).rows_present == 1


def test_import_police_uk_refuses_months_in_the_future(tmp_path):
    next_year = f"{timezone.localdate().year + 1}-01"
    path = write(tmp_path / "future.csv", HEADER, ASB, ASB.replace("2020-03", next_year))

    with pytest.raises(CommandError) as error:
        run(path)

    assert "Rows with errors (listed above), so nothing was stored from" in str(error.value)
    assert not CrimeBatch.objects.exists()
    assert not ImportRun.objects.exists()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_police_uk", str(path), stdout=out, stderr=io.StringIO())
    assert f"line 3: has the month {next_year}, which is in the future." in out.getvalue()
    assert "skipped, month in the future: 1" in out.getvalue()


def test_import_police_uk_checks_the_whole_file_before_storing(tmp_path):
    # The bad row is the last of many good ones: nothing at all is written, not even for a
    # moment inside a transaction, and the summary still counts every row.
    rows = [ASB.replace("Kay Road", f"Road {n}") for n in range(3000)]
    path = write(tmp_path / "late.csv", HEADER, *rows, ASB.replace("-1.185", "west"))

    with pytest.raises(CommandError) as error:
        run(path)

    assert "nothing was stored" in str(error.value)
    assert not CrimeBatch.objects.exists()
    out, _ = run(path, "--dry-run", "--skip-errors")
    assert "3001 rows read, 3000 would be stored" in out
    assert "line 3002: The point has a longitude that is not a number" in out
    assert not CrimeBatch.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "missing"),
    [
        # police.uk's own outcomes file: right site, wrong kind of file.
        (
            "2020-03-leicestershire-outcomes.csv",
            "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
            "LSOA name,Outcome type\nabc,2020-03,L,L,-1.1,52.6,X,E01,X 001A,Charged\n",
            "Crime type, Last outcome category",
        ),
        # A GeoJSON file given a .csv name.
        (
            "zones.csv",
            '{"type": "FeatureCollection", "features": []}\n',
            "Crime ID, Month, Reported by",
        ),
    ],
)
def test_import_police_uk_refuses_other_files_by_name(tmp_path, name, content, missing):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run(path)

    assert "is not a police.uk street CSV: these columns are missing" in str(error.value)
    assert missing in str(error.value)
    assert not CrimeBatch.objects.exists()


def test_import_police_uk_reads_columns_by_name_in_any_order(tmp_path):
    rows = read_rows(MARCH)
    run(MARCH)
    # The same file with its columns reversed and spaces round every value: the same crimes,
    # known by the same identities, so nothing new is stored.
    columns = list(reversed(list(rows[0])))
    path = tmp_path / "reordered.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([f" {row[column]} " if row[column] else "" for column in columns])

    out, _ = run(path)

    assert f"0 stored, {len(rows)} already present" in out
    assert len(stored_crimes()) == len(rows)


def test_import_police_uk_month_published_again_with_more_rows_adds_only_those(tmp_path):
    # police.uk republishes a month now and then: the new rows join the month's batch.
    rows = read_rows(MARCH)
    run(MARCH)
    batch = CrimeBatch.objects.get()
    text = MARCH.read_text(encoding="utf-8-sig").rstrip("\n")
    extra = ASB.replace("Kay Road", "Republished Road")
    path = write(tmp_path / "2020-03-again.csv", text, extra)

    out, _ = run(path)

    assert f"{len(rows) + 1} rows read, 1 stored, {len(rows)} already present" in out
    again = CrimeBatch.objects.get()
    assert (again.pk, again.rows) == (batch.pk, len(rows) + 1)
    assert again.digest != batch.digest
    assert stored_crimes().location.tolist()[-1] == "On or near Republished Road"
