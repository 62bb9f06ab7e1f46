"""Store each asset's public feature as JSON text, and a version of the public asset data.

Both are derived: the feature text is rebuilt by `Asset.save()` and the asset queryset's bulk
writes, the version changes on every write of public asset data (see assets/feature_cache.py).
"""

import uuid

from django.db import migrations, models

from peoplezones.assets.serializers import asset_fragment


def fill(apps, schema_editor):
    # The app's own builder on purpose: the column is derived data, and the builder reads only
    # fields that exist at this point (a later change of format refreshes it in its own
    # migration; rows of an older format are built on the fly until then).
    Asset = apps.get_model("assets", "Asset")
    PublicDataVersion = apps.get_model("assets", "PublicDataVersion")
    db = schema_editor.connection.alias
    batch = []
    for asset in Asset.objects.using(db).order_by("pk").iterator(chunk_size=1000):
        asset.public_feature = asset_fragment(asset)
        batch.append(asset)
        if len(batch) == 1000:
            Asset.objects.using(db).bulk_update(batch, ["public_feature"])
            batch = []
    Asset.objects.using(db).bulk_update(batch, ["public_feature"])
    PublicDataVersion.objects.using(db).update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_default_categories")]

    operations = [
        migrations.CreateModel(
            name="PublicDataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "public data version"},
        ),
        migrations.AddField(
            model_name="asset",
            name="public_feature",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
