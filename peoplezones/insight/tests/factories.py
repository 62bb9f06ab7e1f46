import datetime
import itertools
import math
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import numpy as np

from peoplezones.insight import crime_store
from peoplezones.insight.models import CrimeBatch

_numbers = itertools.count()

DEFAULTS: dict[str, Any] = {
    "month": datetime.date(2020, 3, 1),
    "reported_by": "Leicestershire Police",
    "falls_within": "Leicestershire Police",
    "latitude": 52.638,
    "longitude": -1.185,
    "location": "On or near Test Street",
    "lsoa_code": "",
    "lsoa_name": "",
    "crime_type": "Burglary",
    "last_outcome": "",
}


def crime_values(**values: Any) -> dict[str, Any]:
    """One crime's values: DEFAULTS (a located burglary in west Leicester, inside the zones'
    test square, in March 2020) with `values` over them; a new Crime ID unless given."""
    unknown = set(values) - set(DEFAULTS) - {"crime_id", "identity", "is_demo"}
    if unknown:
        raise TypeError(f"unknown crime fields: {', '.join(sorted(unknown))}")
    crime = {**DEFAULTS, "is_demo": False, **values}
    crime.setdefault("crime_id", f"test-crime-{next(_numbers)}")
    crime.setdefault("identity", crime["crime_id"] or f"asb-test-{next(_numbers)}")
    crime["month"] = crime["month"].replace(day=1)
    return crime


def store_crimes(crimes: Iterable[dict[str, Any]]) -> list[SimpleNamespace]:
    """Store crimes (dicts of `crime_values`) as an import would: added to the batch of their
    force and month. Returns them as objects with those attributes."""
    crimes = [crime_values(**crime) for crime in crimes]
    groups: dict[tuple[str, datetime.date], list[dict[str, Any]]] = {}
    for crime in crimes:
        groups.setdefault((crime["falls_within"], crime["month"]), []).append(crime)
    for (falls_within, month), rows in groups.items():
        batch = CrimeBatch.objects.filter(falls_within=falls_within, month=month).first()
        stored = (
            crime_store.batch_columns(batch)
            if batch is not None
            else {name: np.empty(0, object) for name in crime_store.STORED_COLUMNS}
        )
        columns = {}
        for name in crime_store.STORED_COLUMNS:
            new = [row[name] for row in rows]
            if name in crime_store.FLOAT_COLUMNS:
                new = [math.nan if value is None else float(value) for value in new]
                columns[name] = np.concatenate([np.asarray(stored[name], float), new])
            else:
                columns[name] = np.concatenate([stored[name], np.array(new, dtype=object)])
        total = len(columns["identity"])
        data = crime_store.encode_columns(columns, rows=total)
        if batch is None:
            batch = CrimeBatch(falls_within=falls_within, month=month)
        batch.is_demo = all(row["is_demo"] for row in rows) and (batch.pk is None or batch.is_demo)
        batch.rows = total
        batch.located = int(total - np.isnan(columns["latitude"]).sum())
        batch.data = data
        batch.digest = crime_store.digest_of(data)
        batch.save()
    return [
        SimpleNamespace(**crime, has_location=crime["latitude"] is not None) for crime in crimes
    ]


class CrimeFactory:
    """`CrimeFactory(**values)` stores one crime (see `crime_values`) and returns it;
    `CrimeFactory.create_batch(n, **values)` stores n alike but for their Crime IDs."""

    def __new__(cls, **values: Any) -> SimpleNamespace:  # type: ignore[misc]
        return store_crimes([values])[0]

    @classmethod
    def create_batch(cls, size: int, **values: Any) -> list[SimpleNamespace]:
        return store_crimes([dict(values) for _ in range(size)])


def stored_crimes(**filters: Any):
    """The stored crimes as `crime_store.crime_frame` gives them (a pandas DataFrame)."""
    return crime_store.crime_frame(**filters)
