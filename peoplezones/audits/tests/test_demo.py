import io

from django.core.management import call_command

from peoplezones.audits.models import Audit, Issue, Referral
from peoplezones.core.models import AuditEvent


def test_demo_audit_has_reports_at_each_stage_and_loads_once(db, settings):
    settings.DEBUG = True

    call_command("load_demo", stdout=io.StringIO())
    first = (Issue.objects.count(), Referral.objects.count(), AuditEvent.objects.count())
    call_command("load_demo", stdout=io.StringIO())

    assert (Issue.objects.count(), Referral.objects.count(), AuditEvent.objects.count()) == first
    audit = Audit.objects.get(slug="bell-foundry-lighting")
    states = set(audit.issues.values_list("state", flat=True))
    assert {"open", "referred", "action_scheduled", "fixed"} <= states
    assert all(issue.zone.slug == "bell-foundry" for issue in audit.issues.select_related("zone"))
    assert not audit.issues.exclude(reporter_email="").exists()
