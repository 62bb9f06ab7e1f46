"""The crime store: batches written and read back exactly, the table every read uses, and the
reader of whole files giving the same rows as the row-by-row reader."""

import datetime
import gzip
import math

import numpy as np
import pytest

from peoplezones.insight import crime_store
from peoplezones.insight.crime_store import (
    STORED_COLUMNS,
    CrimeStoreError,
    decode_columns,
    encode_columns,
)
from peoplezones.insight.importers.police import CrimeRow, Source, read_file
from peoplezones.insight.importers.police import _read_by_row as read_by_row
from peoplezones.insight.importers.police import _read_whole as read_whole
from peoplezones.insight.models import CrimeBatch
from peoplezones.insight.tests.factories import CrimeFactory, store_crimes, stored_crimes
from peoplezones.insight.tests.test_crime_pages import square
from peoplezones.insight.tests.test_import import HEADER, JUNE, MARCH
from peoplezones.zones.services import zone_set_boundary
from peoplezones.zones.tests.factories import ZoneFactory

ROW = "abc,2020-03,L,L,-1.185,52.638,On or near Kay Road,E01013721,Leicester 012A,Burglary,,"
ASB = ROW.replace("abc", "").replace("Burglary", "Anti-social behaviour")
THIS_MONTH = datetime.date(2026, 12, 1)


def columns_of(rows: list[dict]) -> dict[str, np.ndarray]:
    columns = {}
    for name in STORED_COLUMNS:
        values = [row[name] for row in rows]
        if name in crime_store.FLOAT_COLUMNS:
            columns[name] = np.array(values, dtype=float)
        else:
            columns[name] = np.array(values, dtype=object)
    return columns


def a_row(**values) -> dict:
    row = {
        "identity": "id-1",
        "crime_id": "id-1",
        "reported_by": "Leicestershire Police",
        "falls_within": "Leicestershire Police",
        "location": "On or near Kay Road",
        "lsoa_code": "E01013721",
        "lsoa_name": "Leicester 012A",
        "crime_type": "Burglary",
        "last_outcome": "",
        "latitude": 52.638,
        "longitude": -1.185,
    }
    return row | values


def assert_same_columns(left: dict, right: dict, names=STORED_COLUMNS) -> None:
    for name in names:
        a, b = np.asarray(left[name]), np.asarray(right[name])
        assert len(a) == len(b), name
        if a.dtype.kind == "f":
            assert np.array_equal(a, b, equal_nan=True), name
        else:
            assert a.tolist() == b.tolist(), name


# Writing and reading batches


def test_every_kind_of_column_reads_back_exactly():
    rows = [
        a_row(),
        # Anti-social behaviour: an identity of its own, no Crime ID.
        a_row(identity="asb-1", crime_id="", crime_type="Anti-social behaviour"),
        # No location, a value holding the store's separator, Welsh and right-to-left text.
        a_row(
            identity="id-3",
            crime_id="id-3",
            latitude=math.nan,
            longitude=math.nan,
            location="",
            lsoa_name="Ynys Môn 001A",
            last_outcome="Under\x1finvestigation",
        ),
        a_row(identity="id-4", crime_id="id-4", location="شارع الملك"),
    ]
    columns = columns_of(rows)

    data = encode_columns(columns, rows=len(rows))

    assert_same_columns(decode_columns(data), columns)
    assert_same_columns(decode_columns(data, names=["identity"]), columns, names=["identity"])


def test_an_empty_batch_reads_back_empty():
    columns = columns_of([])

    decoded = decode_columns(encode_columns(columns, rows=0))

    assert all(len(decoded[name]) == 0 for name in STORED_COLUMNS)


@pytest.mark.parametrize("data", [b"", b"not a batch", b"PZCRIME1\x05\x00\x00\x00{bad"])
def test_a_damaged_batch_is_refused_with_a_message(data):
    with pytest.raises(CrimeStoreError):
        decode_columns(data)


def test_a_column_of_the_wrong_length_is_refused():
    columns = columns_of([a_row(), a_row(identity="id-2", crime_id="id-2")])
    columns["crime_type"] = columns["crime_type"][:1]

    with pytest.raises(ValueError, match="crime_type"):
        encode_columns(columns, rows=2)


# The table


@pytest.mark.django_db
def test_the_table_is_built_once_until_the_batches_change(django_assert_num_queries):
    CrimeFactory.create_batch(3)
    crime_store.crime_table()

    # Unchanged: one query for the batches, one for the zones, nothing decoded.
    with django_assert_num_queries(2):
        assert len(crime_store.crime_table()) == 3

    CrimeFactory(month=datetime.date(2020, 4, 1))
    assert len(crime_store.crime_table()) == 4


@pytest.mark.django_db
def test_the_table_reads_every_month_in_one_query_however_many(django_assert_num_queries):
    for month in range(1, 13):
        CrimeFactory(month=datetime.date(2020, month, 1))
    crime_store.forget()  # as a process that has decoded nothing yet

    # The batches' versions, the zones, and every batch's data at once.
    with django_assert_num_queries(3):
        assert len(crime_store.crime_table()) == 12


@pytest.mark.django_db
def test_a_zone_drawn_after_the_import_counts_its_crimes_at_once():
    inside = {"latitude": 52.638, "longitude": -1.185}
    outside = {"latitude": 52.70, "longitude": -1.30}
    CrimeFactory(**inside)
    CrimeFactory(**outside)
    assert set(stored_crimes().zone) == {0}

    zone = ZoneFactory()  # the test square round (52.638, -1.185)

    zones = dict(zip(stored_crimes().latitude, stored_crimes().zone, strict=True))
    assert zones == {52.638: zone.pk, 52.70: 0}

    # Redrawn round the other crime: the crimes follow the boundary.
    zone_set_boundary(zone=zone, actor=None, geometry=square(-1.31, 52.69, -1.29, 52.71))
    zones = dict(zip(stored_crimes().latitude, stored_crimes().zone, strict=True))
    assert zones == {52.638: 0, 52.70: zone.pk}

    zone.status = zone.Status.CLOSED
    zone.save()

    assert set(stored_crimes().zone) == {0}


@pytest.mark.django_db
def test_each_filter_keeps_what_it_says():
    store_crimes(
        [
            {"month": datetime.date(2020, 1, 1), "crime_type": "Drugs", "lsoa_code": "E1"},
            {"month": datetime.date(2020, 2, 1), "crime_type": "Burglary", "lsoa_code": "E2"},
            {"month": datetime.date(2020, 3, 1), "crime_type": "Drugs", "lsoa_code": "E2"},
            {"month": datetime.date(2020, 3, 1), "latitude": None, "longitude": None},
            {"month": datetime.date(2020, 3, 1), "latitude": 52.64, "longitude": -1.18},
        ]
    )
    frame = crime_store.crime_frame

    assert len(frame()) == 5
    assert len(frame(month_from=datetime.date(2020, 2, 14))) == 4  # any day stands for its month
    assert len(frame(month_to=datetime.date(2020, 2, 1))) == 2
    assert len(frame(crime_types=["Drugs"])) == 2
    assert len(frame(crime_types=[])) == 0
    assert len(frame(lsoa_codes={"E2"})) == 2
    assert len(frame(located=True)) == 4
    # Box edges count; rows without a point are never in a box.
    assert len(frame(box=(52.638, -1.185, 52.64, -1.18))) == 4
    assert len(frame(box=(52.639, -1.185, 52.64, -1.18))) == 1
    assert crime_store.count_by(frame(), "crime_type") == {"Drugs": 2, "Burglary": 3}
    assert crime_store.months_stored() == [
        datetime.date(2020, 1, 1),
        datetime.date(2020, 2, 1),
        datetime.date(2020, 3, 1),
    ]
    assert crime_store.crimes_stored() == 5


@pytest.mark.django_db
def test_crime_id_owners_follow_changed_and_deleted_batches():
    CrimeFactory(crime_id="A", month=datetime.date(2020, 1, 1))
    CrimeFactory(crime_id="B", month=datetime.date(2020, 2, 1))
    january = CrimeBatch.objects.get(month=datetime.date(2020, 1, 1))
    february = CrimeBatch.objects.get(month=datetime.date(2020, 2, 1))

    assert crime_store.crime_id_owners() == {"A": january.pk, "B": february.pk}

    CrimeFactory(crime_id="C", month=datetime.date(2020, 1, 1))
    assert crime_store.crime_id_owners()["C"] == january.pk

    january.delete()
    assert set(crime_store.crime_id_owners()) == {"B"}


# The whole-file reader


@pytest.mark.parametrize("path", [MARCH, JUNE])
def test_real_files_are_read_whole_and_give_the_rows_the_row_reader_gives(path):
    source = Source(path=path)

    whole = read_whole(source=source, this_month=THIS_MONTH)
    by_row = read_by_row(source=source, today=THIS_MONTH, progress=None, keep_skipped=10)

    assert whole is not None
    assert by_row.reasons == {}
    assert_same_columns(whole.columns, by_row.columns, names=CrimeRow._fields)
    # What it joined for the store is what the store would join.
    for name, joined in whole.joined.items():
        assert joined == "\x1f".join(whole.columns[name]).encode()


@pytest.mark.parametrize(
    ("rows", "whole"),
    [
        # Quoted values, with commas in them: still read whole.
        ([ROW.replace("On or near Kay Road", '"On or near Kay Road, West End"'), ASB], True),
        # A short row: pandas would fill it with blanks, so it goes row by row (and is skipped).
        ([ROW, "def,2020-03,L"], False),
        # A short row hidden by a quoted comma elsewhere.
        ([ROW.replace("Kay Road", '"Kay Road, West"'), "def,2020-03,L,L,,,x,,,Burglary"], False),
        # Spaces round a value, a tab, a blank line, a line end inside a value.
        ([ROW.replace("Burglary", " Burglary ")], False),
        ([ROW.replace("Burglary", "Burglary\t")], False),
        ([ROW, "", ASB], False),
        ([ROW.replace("On or near Kay Road", '"On or near\nKay Road"')], False),
        # Non-ASCII text without spaces round it: read whole.
        ([ROW.replace("Kay Road", "Heol Tŷ Gwyn")], True),
        # Bad values: the row reader names them.
        ([ROW.replace("-1.185", "west")], False),
        ([ROW.replace("2020-03", "2999-01")], False),
        ([ROW, ROW], False),  # a repeated Crime ID
    ],
)
def test_anything_out_of_the_ordinary_is_read_row_by_row(tmp_path, rows, whole):
    path = tmp_path / "2020-03-test-street.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    source = Source(path=path)

    read = read_whole(source=source, this_month=THIS_MONTH)
    by_row = read_by_row(source=source, today=THIS_MONTH, progress=None, keep_skipped=10)

    assert (read is not None) == whole
    if read is not None:
        assert_same_columns(read.columns, by_row.columns, names=CrimeRow._fields)
    # Either way, read_file gives the row reader's answer.
    result = read_file(source=source, today=THIS_MONTH)
    assert_same_columns(result.columns, by_row.columns, names=CrimeRow._fields)
    assert result.reasons == by_row.reasons


def test_a_gzipped_file_with_a_byte_order_mark_is_read_whole(tmp_path):
    path = tmp_path / "2020-03-test-street.csv.gz"
    path.write_bytes(gzip.compress(("\ufeff" + "\n".join([HEADER, ROW, ASB]) + "\n").encode()))

    read = read_whole(source=Source(path=path), this_month=THIS_MONTH)

    assert read is not None
    assert read.columns["crime_id"].tolist() == ["abc", ""]
    assert read.columns["latitude"].tolist() == [52.638, 52.638]
    assert read.columns["month"].tolist() == [datetime.date(2020, 3, 1)] * 2
