import datetime
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peoplezones.assets.importers import parse_opening_hours
from peoplezones.assets.models import Asset
from peoplezones.assets.tests.factories import AssetFactory
from peoplezones.core.models import AuditEvent

DATA = Path(__file__).parent / "data"
HEADER = (
    "name,description,asset_class,categories,latitude,longitude,address,postcode,phone,email,"
    "website,accessibility,languages,opening_hours,sensitive,last_verified\n"
)
# Points inside the factory zone's square in west Leicester.
GOOD_ROWS = (
    "New Parks Food Pantry,Low-cost food,institution,food;food-banks,52.6385,-1.1850,"
    "1 Aikman Avenue,le3 9eg,0116 000 0000,pantry@example.org,https://example.org,"
    'Step-free entrance,"English, Polish",Mon 09:00-12:00; Thu 13:00-15:00,no,2024-03-01\n'
    "Tuesday Walking Group,,association,physical-activity,52.6400,-1.1820,,,,,,,,,yes,\n"
)


@pytest.fixture
def write(tmp_path):
    def write_file(content, name="assets.csv"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    return write_file


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_assets", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def run_failing(path, *args):
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_assets", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue(), str(error.value)


def test_import_assets_creates_pending_assets_from_a_csv(zone, write):
    output = run(write(HEADER + GOOD_ROWS))

    pantry = Asset.objects.get(name="New Parks Food Pantry")
    assert pantry.status == Asset.Status.PENDING
    assert pantry.source == Asset.Source.IMPORTED
    assert pantry.zone == zone
    assert pantry.postcode == "LE3 9EG"
    assert sorted(pantry.categories.values_list("slug", flat=True)) == ["food", "food-banks"]
    assert pantry.opening_hours == [
        {"day": 0, "opens": "09:00", "closes": "12:00"},
        {"day": 3, "opens": "13:00", "closes": "15:00"},
    ]
    assert pantry.languages == "English, Polish"
    assert pantry.last_verified == datetime.date(2024, 3, 1)
    assert Asset.objects.get(name="Tuesday Walking Group").sensitive is True
    assert "Created 2 assets" in output


def test_import_assets_reports_every_bad_row_by_line_and_imports_nothing(zone, write):
    rows = (
        'Good group,"A description\nover two lines",association,,52.6385,-1.1850,,,,,,,,,,\n'
        "Swapped,,association,,-1.1850,52.6385,,,,,,,,,,\n"
        "Unknown category,,association,knitting,52.6385,-1.1840,,,,,,,,,,\n"
        "Bad postcode,,association,,52.6385,-1.1830,,NOT A CODE,,,,,,,,\n"
        "Bad hours,,association,,52.6385,-1.1820,,,,,,,,Someday 9-5,,\n"
        "Bad date,,association,,52.6385,-1.1810,,,,,,,,,maybe,31/12/2024\n"
    )

    output, message = run_failing(write(HEADER + rows))

    # The first row spans lines 2 and 3, so the second row starts on line 4.
    assert "line 4 (Swapped): latitude:" in output
    assert "look swapped" in output
    assert "line 5 (Unknown category): categories: Unknown category: knitting." in output
    assert "line 6 (Bad postcode): postcode:" in output
    assert "line 7 (Bad hours): Opening hours “Someday 9-5”" in output
    assert "line 8 (Bad date): sensitive must be yes or no" in output
    assert "line 8 (Bad date): last_verified must be a date" in output
    assert "5 of 6 rows have errors" in message
    assert not Asset.objects.exists()
    assert not AuditEvent.objects.filter(verb="asset.create").exists()


def test_import_assets_skip_errors_imports_the_good_rows(zone, write):
    rows = GOOD_ROWS + "Nowhere,,association,,,,,,,,,,,,,\n"

    output = run(write(HEADER + rows), "--skip-errors")

    assert Asset.objects.count() == 2
    assert "line 4 (Nowhere): latitude: Give both latitude and longitude." in output


def test_import_assets_dry_run_reports_but_imports_nothing(zone, write):
    output = run(write(HEADER + GOOD_ROWS), "--dry-run")

    assert not Asset.objects.exists()
    assert "2 assets would be created" in output


def test_import_assets_reports_duplicates_within_100_m_and_skips_them(zone, write):
    AssetFactory(name="Whitehouse Garden Project", latitude=52.6385, longitude=-1.1850)
    rows = (
        # About 45 m north of the existing asset, with different case and spacing.
        "  whitehouse garden  PROJECT ,,association,,52.6389,-1.1850,,,,,,,,,,\n"
        # About 330 m away: a different place with the same name.
        "Whitehouse Garden Project,,association,,52.6415,-1.1850,,,,,,,,,,\n"
        "Chess Club,,association,,52.6370,-1.1860,,,,,,,,,,\n"
        "chess club,,association,,52.6371,-1.1861,,,,,,,,,,\n"
    )

    output = run(write(HEADER + rows))

    assert Asset.objects.filter(name__icontains="whitehouse").count() == 2
    assert Asset.objects.filter(name__iexact="chess club").count() == 1
    assert "line 2 (whitehouse garden  PROJECT): Same name within 100 m of an existing" in output
    assert "line 5 (chess club): Same name within 100 m of line 4 of this file." in output


def test_import_assets_twice_creates_nothing_new(zone, write):
    path = write(HEADER + GOOD_ROWS)
    run(path)

    output = run(path)

    assert Asset.objects.count() == 2
    assert "Likely duplicates, not created (2)" in output
    assert "Created 0 assets" in output


def test_import_assets_reads_a_geojson_feature_collection(zone, write):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-1.185, 52.6385]},
                "properties": {
                    "name": "Community fridge",
                    "categories": ["food"],
                    "opening_hours": "Mon-Wed 10:00-12:00",
                    "sensitive": False,
                },
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[-1.18, 52.63], [-1.1, 52.6]]},
                "properties": {"name": "A path"},
            },
        ],
    }

    output, _message = run_failing(write(collection, "assets.geojson"))
    assert "feature 2 (A path): The geometry is a LineString" in output
    assert not Asset.objects.exists()

    run(write(collection, "assets.geojson"), "--skip-errors")
    fridge = Asset.objects.get()
    assert (fridge.latitude, fridge.longitude) == (52.6385, -1.185)
    assert [hours["day"] for hours in fridge.opening_hours] == [0, 1, 2]


def test_import_assets_reports_the_open_referral_example_without_a_location(db, tmp_path):
    path = tmp_path / "service_list.json"
    shutil.copy(DATA / "service_list.json", path)

    output, _message = run_failing(path)

    assert "feature 1 (Community Counselling): The service has no location" in output


def test_import_assets_reads_open_referral_services_with_locations(zone, write):
    page = json.loads((DATA / "service_list.json").read_text())
    service = page["contents"][0]
    service["service_at_locations"] = [
        {
            "location": {
                "latitude": 52.6385,
                "longitude": -1.185,
                "addresses": [
                    {"address_1": "1 Aikman Avenue", "city": "Leicester", "postal_code": "LE3 9EG"}
                ],
                "accessibility": [{"description": "Induction loop."}],
            }
        }
    ]
    service["schedules"] = [{"opens_at": "10:00:00", "closes_at": "18:00:00", "byday": "TH,FR"}]

    run(write([service], "services.json"))

    asset = Asset.objects.get()
    assert asset.name == "Community Counselling"
    assert asset.asset_class == Asset.AssetClass.INSTITUTION
    assert asset.website == "http://example.com/counselling"
    assert asset.address == "1 Aikman Avenue, Leicester"
    assert asset.accessibility == "Induction loop."
    assert asset.opening_hours == [
        {"day": 3, "opens": "10:00", "closes": "18:00"},
        {"day": 4, "opens": "10:00", "closes": "18:00"},
    ]


def test_import_assets_publish_needs_a_moderator(zone, write, moderator, user):
    path = write(HEADER + GOOD_ROWS)

    _output, message = run_failing(path, "--publish")
    assert "--publish needs --as EMAIL" in message
    _output, message = run_failing(path, "--publish", "--as", user.email)
    assert "not a moderator" in message

    run(path, "--publish", "--as", moderator.email.upper())
    assert set(Asset.objects.values_list("status", flat=True)) == {Asset.Status.PUBLISHED}
    assert AuditEvent.objects.filter(verb="asset.create", actor=moderator).count() == 2


def test_import_assets_shows_progress_on_stderr(zone, write):
    err = io.StringIO()

    call_command("import_assets", str(write(HEADER + GOOD_ROWS)), stdout=io.StringIO(), stderr=err)

    assert "2/2" in err.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("short.csv", b"name,latitude\n", "has no longitude column"),
        ("header.csv", HEADER.encode(), "header line but no rows"),
        ("latin1.csv", "name;colour\nCafé;red\n".encode("latin-1"), "not UTF-8"),
        (
            "extra.csv",
            b"name,latitude,longitude,colour,size\nA,52.6,-1.1,red,big\n",
            "colour, size",
        ),
        ("feature.geojson", b'{"type": "Feature"}', "neither a GeoJSON FeatureCollection"),
        ("broken.json", b"{not json", "not valid JSON"),
        ("none.geojson", b'{"type": "FeatureCollection", "features": []}', "has no features"),
    ],
)
def test_import_assets_refuses_unusable_files_clearly(db, write, name, content, expected):
    with pytest.raises(CommandError, match=expected):
        call_command("import_assets", str(write(content, name)), stdout=io.StringIO())


def test_import_assets_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("import_assets", str(tmp_path / "missing.csv"), stdout=io.StringIO())


def test_parse_opening_hours_reads_days_and_ranges():
    assert parse_opening_hours("Sat-Sun 10:00-16:00; fri 09:00 - 12:00") == [
        {"day": 5, "opens": "10:00", "closes": "16:00"},
        {"day": 6, "opens": "10:00", "closes": "16:00"},
        {"day": 4, "opens": "09:00", "closes": "12:00"},
    ]
