from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Grant assessor")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_programme_role_groups")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
