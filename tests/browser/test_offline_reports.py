"""Offline reporting: the form from the service worker's cache, reports queued on the device,
sent once when the connection returns."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from peoplezones.audits.models import Issue
from peoplezones.audits.tests.factories import IssueCategoryFactory
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

FORM = "/issues/report/?category=street-light"


@pytest.fixture
def street_light(demo):
    return IssueCategoryFactory(code="street-light", name="Street light", icon="street-light")


def _wait_for_worker(page) -> None:
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    # clients.claim() on activation: the page is controlled without a reload.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _ours():
    """Issues these tests made (the demo brings its own)."""
    return Issue.objects.exclude(description__startswith="Demo report:")


def _queued(page) -> int:
    return page.evaluate("async () => (await window.PZOfflineReports.all()).length")


def _fill_report(page, tmp_path) -> None:
    photo = tmp_path / "light.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    # New Parks: no demo report of the same kind is near, so no "Is it one of these?".
    page.get_by_label("Latitude").fill("52.6400")
    page.get_by_label("Longitude").fill("-1.1800")
    page.get_by_label("What is the problem? (optional)").fill("Dark all along the alley.")
    # The seeded "Street light" asks what is wrong (a flushed database has the bare one).
    fault = page.get_by_label("Light is out")
    if fault.count():
        fault.check()
    page.get_by_label("Photo (optional)").set_input_files(str(photo))


def test_report_made_offline_is_queued_then_sent_once(page, live_server, street_light, tmp_path):
    context = page.context
    status = page.locator("[data-offline-reports]")

    page.goto(FORM)
    _wait_for_worker(page)
    context.set_offline(True)
    response = page.reload()

    assert response.from_service_worker
    # The worker has no network either: the page came from its cache.
    (worker,) = context.service_workers
    reached = "fetch('/healthz', {cache: 'no-store'}).then(() => 'network', () => 'offline')"
    assert worker.evaluate(reached) == "offline"
    expect(page.get_by_role("heading", name="Where is it?")).to_be_visible()
    _fill_report(page, tmp_path)
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("status").filter(has_text="saved on this device")).to_contain_text(
        "1 report waiting to send"
    )
    expect(status).to_have_attribute("data-waiting-count", "1")
    assert _queued(page) == 1
    assert _ours().count() == 0
    assert_accessible(page)

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")

    expect(status).to_have_attribute("data-waiting-count", "0")
    expect(page.get_by_role("status").filter(has_text="have been sent")).to_be_visible()
    page.wait_for_function("async () => (await window.PZOfflineReports.all()).length === 0")
    issue = _ours().get()
    assert issue.description == "Dark all along the alley."
    assert issue.photos.count() == 1

    page.reload()
    expect(status).to_have_attribute("data-waiting-count", "0")
    page.evaluate("() => window.PZOfflineReports.flush()")
    assert _ours().count() == 1


def test_waiting_count_shows_on_every_report_page(page, live_server, street_light, tmp_path):
    page.goto(FORM)
    _wait_for_worker(page)
    page.context.set_offline(True)
    page.reload()
    for _ in range(2):
        _fill_report(page, tmp_path)
        page.get_by_role("button", name="Send the report").click()
        expect(page.get_by_role("status").filter(has_text="saved on this device")).to_be_visible()

    waiting = page.locator("[data-offline-status]")
    expect(waiting).to_contain_text("2 reports waiting to send")
    page.goto("/issues/report/")
    expect(waiting).to_have_text("2 reports waiting to send")
    assert_accessible(page)
    assert _ours().count() == 0


def test_report_that_needs_checking_is_kept_and_can_be_reopened(
    page, live_server, street_light, tmp_path
):
    page.goto(FORM)
    _wait_for_worker(page)
    page.context.set_offline(True)
    page.reload()
    _fill_report(page, tmp_path)
    page.get_by_label("Latitude").fill("not a number")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("[data-offline-reports]")).to_have_attribute("data-waiting-count", "1")

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")

    link = page.get_by_role("link", name=re.compile("Check and send the report you saved at"))
    expect(link).to_be_visible()
    expect(page.locator("[data-offline-reports]")).to_have_attribute("data-waiting-count", "0")
    assert _ours().count() == 0
    link.click()
    expect(page.get_by_label("Latitude")).to_have_value("not a number")
    expect(page.get_by_label("What is the problem? (optional)")).to_have_value(
        "Dark all along the alley."
    )
    assert page.evaluate("() => document.getElementById('id_photo').files[0].name") == "light.png"

    page.get_by_label("Latitude").fill("52.6400")
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert _ours().get().photos.count() == 1
    page.wait_for_function("async () => (await window.PZOfflineReports.all()).length === 0")


def test_report_sent_online_with_the_script_gets_the_usual_answers(
    page, live_server, street_light, tmp_path
):
    page.goto(FORM)
    page.get_by_label("Latitude").fill("north")
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_text("Enter a number.").first).to_be_visible()
    _fill_report(page, tmp_path)
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert _ours().get().photos.count() == 1
    assert _queued(page) == 0


def test_worker_is_served_from_the_root_with_what_to_cache(client, street_light):
    response = client.get("/report-sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert '"/issues/report/?category=street-light"' in body
    assert "/static/img/issue-icons/street-light.svg" in body
    assert "/static/js/offline-reports.js" in body


def test_audit_walk_keeps_its_audit_offline(page, live_server, street_light, tmp_path):
    page.goto("/issues/report/?audit=bell-foundry-lighting")
    _wait_for_worker(page)
    page.context.set_offline(True)
    page.reload()

    # Step one comes from the cache (the plain page): its links still carry the audit.
    page.get_by_role("link", name="Street light").click()
    expect(page).to_have_url(re.compile(r"category=street-light&audit=bell-foundry-lighting"))
    _fill_report(page, tmp_path)
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("[data-offline-reports]")).to_have_attribute("data-waiting-count", "1")

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")

    expect(page.locator("[data-offline-reports]")).to_have_attribute("data-waiting-count", "0")
    assert _ours().get().audit.slug == "bell-foundry-lighting"
