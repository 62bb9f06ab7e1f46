"""Moving crimes stored one row each into batches (migration 0006), and back."""

import datetime
import math

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from peoplezones.insight.crime_store import decode_columns

BEFORE = [("insight", "0005_default_theme_crime_types")]
AFTER = [("insight", "0006_crime_batches")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_stored_crimes_move_into_batches_and_back():
    try:
        apps = migrate(BEFORE)
        Crime = apps.get_model("insight", "Crime")
        march, april = datetime.date(2020, 3, 1), datetime.date(2020, 4, 1)
        common = {
            "reported_by": "L",
            "falls_within": "Leicestershire Police",
            "crime_type": "Drugs",
        }
        Crime.objects.create(month=march, crime_id="a", identity="a", latitude=52.6,
                             longitude=-1.1, location="On or near X", **common)  # fmt: skip
        Crime.objects.create(month=march, crime_id="", identity="asb-1", **common)
        Crime.objects.create(month=april, crime_id="b", identity="b", is_demo=True, **common)

        apps = migrate(AFTER)
        CrimeBatch = apps.get_model("insight", "CrimeBatch")
        batches = {batch.month: batch for batch in CrimeBatch.objects.all()}

        assert set(batches) == {march, april}
        assert (batches[march].rows, batches[march].located, batches[march].is_demo) == (
            2,
            1,
            False,
        )
        assert batches[april].is_demo
        columns = decode_columns(batches[march].data)
        assert columns["identity"].tolist() == ["a", "asb-1"]
        assert columns["location"].tolist() == ["On or near X", ""]
        assert columns["latitude"][0] == 52.6
        assert math.isnan(columns["latitude"][1])

        apps = migrate(BEFORE)
        Crime = apps.get_model("insight", "Crime")
        assert sorted(Crime.objects.values_list("identity", "month", "latitude")) == [
            ("a", march, 52.6),
            ("asb-1", march, None),
            ("b", april, None),
        ]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
