"""Keep police.uk crime as one batch per force and month, column by column (see
peoplezones/insight/crime_store.py and docs/performance.md, "Import"), instead of a table row per
crime. Crimes already stored are moved into batches; a crime's zone is no longer stored (it is
worked out from the zones when crimes are read)."""

import django.db.models.deletion
from django.db import migrations, models

from peoplezones.insight.crime_store import STORED_COLUMNS, digest_of, encode_columns

# Rows read at a time when moving crimes into batches.
CHUNK = 5000


def crimes_to_batches(apps, schema_editor):
    Crime = apps.get_model("insight", "Crime")
    CrimeBatch = apps.get_model("insight", "CrimeBatch")
    keys = (
        Crime.objects.order_by("falls_within", "month")
        .values_list("falls_within", "month")
        .distinct()
    )
    for falls_within, month in list(keys):
        crimes = Crime.objects.filter(falls_within=falls_within, month=month).order_by("id")
        columns = {name: [] for name in STORED_COLUMNS}
        demo = True
        for crime in crimes.iterator(chunk_size=CHUNK):
            for name in STORED_COLUMNS:
                value = getattr(crime, name)
                if name in ("latitude", "longitude"):
                    value = float("nan") if value is None else value
                columns[name].append(value)
            demo = demo and crime.is_demo
        rows = len(columns["identity"])
        data = encode_columns(columns, rows=rows)
        CrimeBatch.objects.create(
            falls_within=falls_within,
            month=month,
            rows=rows,
            located=sum(1 for value in columns["latitude"] if value == value),
            data=data,
            digest=digest_of(data),
            is_demo=demo,
        )


def store_data_uncompressed(apps, schema_editor):
    """PostgreSQL: keep each batch's bytes as they are (no TOAST compression): compressing a
    megabyte with pglz on every write costs more than the disk it saves."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE insight_crimebatch ALTER COLUMN data SET STORAGE EXTERNAL"
        )


def batches_to_crimes(apps, schema_editor):
    from peoplezones.insight.crime_store import decode_columns

    Crime = apps.get_model("insight", "Crime")
    CrimeBatch = apps.get_model("insight", "CrimeBatch")
    for batch in CrimeBatch.objects.order_by("month", "falls_within"):
        columns = decode_columns(batch.data)
        crimes = []
        for index in range(batch.rows):
            values = {name: columns[name][index] for name in STORED_COLUMNS}
            for name in ("latitude", "longitude"):
                values[name] = None if values[name] != values[name] else float(values[name])
            crimes.append(Crime(month=batch.month, is_demo=batch.is_demo, **values))
        Crime.objects.bulk_create(crimes, batch_size=CHUNK)


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0005_default_theme_crime_types"),
        ("zones", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CrimeBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created"),
                ),
                ("modified", models.DateTimeField(auto_now=True, verbose_name="modified")),
                ("falls_within", models.CharField(max_length=120, verbose_name="falls within")),
                (
                    "month",
                    models.DateField(
                        db_index=True, help_text="The first day of the month.", verbose_name="month"
                    ),
                ),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="crimes")),
                (
                    "located",
                    models.PositiveIntegerField(default=0, verbose_name="crimes with a location"),
                ),
                (
                    "digest",
                    models.CharField(
                        editable=False, max_length=64, verbose_name="SHA-256 of the data"
                    ),
                ),
                ("is_demo", models.BooleanField(default=False, verbose_name="demo data")),
                (
                    "import_run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="insight.importrun",
                        verbose_name="last changed by import",
                    ),
                ),
                (
                    "data",
                    models.BinaryField(editable=False, verbose_name="crimes, column by column"),
                ),
            ],
            options={
                "verbose_name": "month of crime",
                "verbose_name_plural": "months of crime",
                "ordering": ["-month", "falls_within"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("falls_within", "month"), name="crime_batch_force_month_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(store_data_uncompressed, migrations.RunPython.noop),
        migrations.RunPython(crimes_to_batches, batches_to_crimes),
        migrations.DeleteModel(name="Crime"),
    ]
