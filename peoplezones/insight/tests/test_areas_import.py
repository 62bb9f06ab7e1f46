import csv
import gzip
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from peoplezones.core import geo
from peoplezones.core.models import AuditEvent
from peoplezones.insight.models import ImportRun, ReferenceArea
from peoplezones.insight.selectors import reference_area_list

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
IMD = DATA / "imd2019-sample.csv"
LSOAS = DATA / "bell-foundry-lsoas.geojson"
DISTRICT = DATA / "oadby-wigston.geojson"
HEADER = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
    "Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,"
    "Index of Multiple Deprivation (IMD) Decile"
)
ROW = 'E01025699,Charnwood 002A,E07000130,Charnwood,"1,699",1'


def run(command: str, *args: object) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue()


def imd_rows() -> list[dict[str, str]]:
    """The sample read here with csv alone, independently of the importer."""
    with IMD.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, *lines: str) -> Path:
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def write_geojson(path: Path, *features: object) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def feature(properties: dict, geometry: object) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-1.2, 52.7], [-1.19, 52.7], [-1.19, 52.71], [-1.2, 52.71], [-1.2, 52.7]]],
}
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[-1.2, 52.7], [-1.19, 52.71], [-1.19, 52.7], [-1.2, 52.71], [-1.2, 52.7]]],
}


def test_import_imd_reads_the_real_sample_with_its_bom_and_thousands_separators():
    rows = imd_rows()
    assert IMD.read_bytes().startswith(b"\xef\xbb\xbf")
    assert any("," in row["Index of Multiple Deprivation (IMD) Rank"] for row in rows)
    districts = {row["Local Authority District code (2019)"] for row in rows}

    out = run("import_imd", IMD)

    lsoas = ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LSOA)
    assert lsoas.count() == len(rows)
    assert ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LAD).count() == len(districts)
    for row in rows:
        area = lsoas.get(code=row["LSOA code (2011)"])
        assert area.name == row["LSOA name (2011)"]
        assert area.lad_code == row["Local Authority District code (2019)"]
        assert area.imd_rank == int(
            row["Index of Multiple Deprivation (IMD) Rank"].replace(",", "")
        )
        assert area.imd_decile == int(row["Index of Multiple Deprivation (IMD) Decile"])
    assert ReferenceArea.objects.get(code="E01000001").imd_rank == 29199
    assert ReferenceArea.objects.get(code="E07000130").name == "Charnwood"
    assert f"{len(rows)} rows read; areas: {len(rows) + len(districts)} stored" in out
    run_row = ImportRun.objects.get()
    assert run_row.kind == ImportRun.Kind.IMD
    assert run_row.rows_stored == len(rows) + len(districts)
    assert AuditEvent.objects.filter(verb="insight.imd_imported").count() == 1


def test_import_imd_reads_gzip(tmp_path):
    path = tmp_path / "imd.csv.gz"
    path.write_bytes(gzip.compress(IMD.read_bytes()))

    run("import_imd", path)

    assert ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LSOA).count() == len(imd_rows())


def test_import_imd_twice_changes_nothing():
    run("import_imd", IMD)
    first = list(ReferenceArea.objects.values_list("code", "modified"))

    out = run("import_imd", IMD)

    assert list(ReferenceArea.objects.values_list("code", "modified")) == first
    assert "0 stored, 0 updated" in out
    assert ImportRun.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_import_imd_updates_only_what_changed(tmp_path):
    run("import_imd", IMD)
    changed = IMD.read_text(encoding="utf-8-sig").replace('"6,364",2', '"6,365",2')
    path = tmp_path / "imd.csv"
    path.write_text(changed, encoding="utf-8")

    out = run("import_imd", path)

    assert ReferenceArea.objects.get(code="E01025700").imd_rank == 6365
    assert "0 stored, 1 updated" in out


def test_import_imd_lists_every_bad_row_by_line_and_stores_nothing(tmp_path):
    path = write(
        tmp_path / "imd.csv",
        HEADER,
        ROW,
        ROW.replace("E01025699", "E0102569"),
        ROW.replace("E07000130", "E05000130"),
        ROW.replace('"1,699"', '"1.699"'),
        ROW.replace('"1,699"', "0"),
        ROW.replace(",1\r", ",11\r").replace('"1,699",1', '"1,699",11'),
        ROW.replace("Charnwood 002A", ""),
        ROW,
        ROW.replace("E01025699", "E01025700").replace(",Charnwood,", ",Charnwood Borough,"),
        "E01025701,Charnwood 002C",
        "",
        ROW.replace("E01025699", "E01025701"),
    )

    with pytest.raises(CommandError, match="nothing was stored"):
        out = run("import_imd", path)
    assert not ReferenceArea.objects.exists()
    assert not ImportRun.objects.exists()

    out = run("import_imd", path, "--skip-errors")

    assert "line 3: has the LSOA code “E0102569”, which is not E01 and six digits." in out
    assert "line 4: has the local authority district code “E05000130”" in out
    assert "line 5: has the IMD rank “1.699”" in out
    assert "line 6: has the IMD rank “0”" in out
    assert "line 7: has the IMD decile “11”" in out
    assert "line 8: has no LSOA name." in out
    assert "line 9: repeats the LSOA code E01025699 of line 2." in out
    assert "line 10: names district E07000130 “Charnwood Borough”, but line 2 names it" in out
    assert "line 11: has 2 values" in out
    assert "with errors, LSOA code repeated: 1" in out
    assert set(ReferenceArea.objects.values_list("code", flat=True)) == {
        "E01025699",
        "E01025701",
        "E07000130",
    }
    assert ImportRun.objects.get().rows_skipped == 9


def test_import_imd_dry_run_stores_nothing():
    out = run("import_imd", IMD, "--dry-run")

    assert not ReferenceArea.objects.exists()
    assert not ImportRun.objects.exists()
    assert "would be stored" in out
    assert "Dry run: nothing was stored." in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "imd.csv",
            b"LSOA code (2011),LSOA name (2011),Rank\nE01000001,x,1\n",
            "columns are missing",
        ),
        ("imd.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not a UTF-8 text file"),
        ("imd.csv.gz", b"LSOA code (2011)\n", "cannot be read"),
        ("imd.xlsx", b"PK\x03\x04", "Give a file ending in .csv, .csv.gz"),
        ("imd.csv", b"", "is empty"),
        ("imd.csv", (HEADER + "\n").encode(), "has a header but no rows"),
        (  # a field longer than the csv module reads
            "imd.csv",
            (HEADER + "\nE01000001," + "x" * 200_000 + "\n").encode(),
            "imd.csv: Line 2 cannot be read as CSV",
        ),
    ],
)
def test_import_imd_refuses_files_that_are_not_imd(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError, match=re.escape(message)):
        run("import_imd", path)

    assert not ReferenceArea.objects.exists()


def test_import_imd_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="there is no such file"):
        run("import_imd", tmp_path / "missing.csv")


def test_import_areas_stores_lsoas_and_a_district_with_their_boundaries():
    source = json.loads(LSOAS.read_text())

    out = run("import_areas", LSOAS)
    run("import_areas", DISTRICT)

    lsoas = ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LSOA)
    assert lsoas.count() == len(source["features"])
    for item in source["features"]:
        area = lsoas.get(code=item["properties"]["lsoa_code"])
        assert area.name == item["properties"]["lsoa_name"]
        assert area.lad_code == "E07000130"
        assert area.geometry == geo.validate_geometry(item["geometry"])
        assert area.bbox == geo.geometry_bbox(area.geometry)
        assert area.imd_rank is None  # ranks come from the IMD file only
    district = ReferenceArea.objects.get(code="E07000135")
    assert (district.kind, district.name, district.lad_code) == ("lad", "Oadby and Wigston", "")
    assert "3 features read; areas: 3 stored (3 LSOAs)" in out
    assert list(reference_area_list(user=None, lad_code="e07000130")) == list(lsoas)


def test_import_areas_and_imd_merge_in_either_order():
    run("import_areas", LSOAS)
    out = run("import_imd", IMD)

    area = ReferenceArea.objects.get(code="E01025699")
    assert area.geometry is not None
    assert (area.imd_rank, area.imd_decile) == (699, 1)
    assert "3 updated" in out


def test_import_areas_twice_changes_nothing():
    run("import_areas", LSOAS)
    first = list(ReferenceArea.objects.values_list("code", "modified"))

    out = run("import_areas", LSOAS)

    assert list(ReferenceArea.objects.values_list("code", "modified")) == first
    assert "0 stored, 0 updated, 3 unchanged" in out
    assert ImportRun.objects.count() == 1


def test_import_areas_reads_gzip_and_dry_run_stores_nothing(tmp_path):
    path = tmp_path / "areas.geojson.gz"
    path.write_bytes(gzip.compress(LSOAS.read_bytes()))

    out = run("import_areas", path, "--dry-run")

    assert not ReferenceArea.objects.exists()
    assert "3 would be stored" in out


def test_import_areas_names_each_bad_feature_and_stores_nothing(tmp_path):
    path = write_geojson(
        tmp_path / "areas.geojson",
        feature({"LSOA11CD": "E01000001", "LSOA11NM": "Good"}, SQUARE),
        feature({"LSOA11CD": "E01000002"}, BOW_TIE),
        feature({"name": "No code"}, SQUARE),
        feature({"lsoa_code": "E06000016"}, SQUARE),
        feature({"code": "S01000001"}, SQUARE),
        feature({"LSOA11CD": "E01000001"}, SQUARE),
        feature({"WD19CD": "E05010477", "LAD19CD": "E01000009"}, SQUARE),
        feature({"LAD19CD": "E06000016"}, None),
        {"type": "Point", "coordinates": [0, 0]},
        feature({"code": "E06000017"}, {"type": "Polygon", "coordinates": [[[52.7, -1.2]]]}),
    )

    with pytest.raises(CommandError, match="9 features with errors"):
        run("import_areas", path)
    assert not ReferenceArea.objects.exists()

    out = run("import_areas", path, "--skip-errors")

    assert "feature 2 (E01000002): Polygon 1 is not a valid shape: its edges cross" in out
    assert "feature 3: has no area code" in out
    assert "feature 4 (E06000016): has lsoa_code “E06000016”, which is the code of a local" in out
    assert "feature 5 (S01000001): has the code “S01000001” in code, which is not" in out
    assert "feature 6 (E01000001): repeats the code of feature 1." in out
    assert "feature 7 (E05010477): has the district code “E01000009” in WD19CD" not in out
    assert "feature 7 (E05010477): has the district code “E01000009” in LAD19CD" in out
    assert "feature 8 (E06000016): has no geometry" in out
    assert "feature 9: is not a GeoJSON Feature." in out
    assert "feature 10 (E06000017): Point 1 of ring 1 of polygon 1 (latitude -1.2, longitude" in out
    assert "look swapped" in out
    assert list(ReferenceArea.objects.values_list("code", "name")) == [("E01000001", "Good")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("areas.geojson", "{not json", "is not JSON: Expecting property name"),
        (
            "areas.geojson",
            '{"type": "Polygon", "coordinates": []}',
            "not a GeoJSON FeatureCollection",
        ),
        ("areas.geojson", '{"type": "FeatureCollection", "features": []}', "is empty"),
        ("areas.shp", "x", "Give a file ending in .geojson"),
    ],
)
def test_import_areas_refuses_files_that_are_not_geojson(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)

    with pytest.raises(CommandError, match=re.escape(message)):
        run("import_areas", path)

    assert not ReferenceArea.objects.exists()
