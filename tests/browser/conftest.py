"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser).

Every request that leaves the test server (map tiles, anything else) is refused, as it would be
on a machine with no internet: pages must still read well without them.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's synchronous API keeps an event loop running in the test thread; Django would
# otherwise refuse database access from that thread. No async code of ours runs here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_SCRIPT = next((Path(__file__).parent / "vendor").glob("axe-core-*/axe.min.js"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
LOCAL = re.compile(r"^https?://(127\.0\.0\.1|localhost)(:\d+)?/")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run them")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **context_options)
    blocked: list[str] = []

    def refuse_outside_requests(route):
        if LOCAL.match(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", refuse_outside_requests)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.blocked_requests = blocked
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, live_server)
    yield page
    assert page.js_errors == [], page.js_errors
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context, page = _new_page(
        browser,
        live_server,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    assert page.js_errors == [], page.js_errors
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


def assert_accessible(page) -> None:
    """Run axe-core on the page; fail on any WCAG 2.2 A or AA violation, saying what and where.

    Map markers are left out of the target-size rule only: WCAG 2.2's 2.5.8 exempts a target
    whose function another control on the page offers, and every marker's place is also a link
    in the list of results beside the map. Every other rule still checks the markers.
    """
    page.add_script_tag(path=str(AXE_SCRIPT))
    everything = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: {'target-size': {enabled: false}}})",
        WCAG_TAGS,
    )
    target_size = page.evaluate(
        "async () => await axe.run({exclude: [['.leaflet-marker-pane']]},"
        " {runOnly: {type: 'rule', values: ['target-size']}})"
    )
    problems = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "where": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in everything["violations"] + target_size["violations"]
    ]
    assert problems == [], f"{page.url}:\n" + json.dumps(problems, indent=2)


def assert_fits_the_screen(page) -> None:
    """Nothing makes the page scroll sideways."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
