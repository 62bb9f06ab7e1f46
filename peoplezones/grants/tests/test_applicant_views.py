"""The applicant's pages over real HTTP: the application form (save, come back, submit), bad
input, the round's limits and closing time, the dashboard, messages, withdrawal, resubmission
and monitoring returns; and that nobody else can see an application."""

import datetime
import io
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.grants.models import (
    Application,
    Award,
    BudgetItem,
    Message,
    MonitoringReturn,
    Organisation,
)
from peoplezones.grants.tests.factories import (
    ApplicationFactory,
    GrantRoundFactory,
    OrganisationFactory,
)

LONDON = ZoneInfo("Europe/London")
QUESTIONS = ["We are a not-for-profit group.", "The project benefits people in the zone."]


@pytest.fixture
def applicant(db):
    user = UserFactory(full_name="Asha Patel")
    user.email_verified_at = timezone.now()
    user.save()
    return user


@pytest.fixture
def grant_round(db):
    return GrantRoundFactory(name="Spring 2026", slug="spring-2026")


def form_data(grant_round, **changes) -> dict:
    """Everything a complete application posts: a new organisation and two budget rows."""
    zone = grant_round.zones.get()
    theme = grant_round.themes.order_by("pk").first()
    data = {
        "organisation": "new",
        "org_name": "New Parks Youth Club",
        "org_type": "charity",
        "org_charity_number": "1012345",
        "org_company_number": "",
        "org_address": "12 Aikman Avenue, Leicester",
        "org_postcode": "le3 9pw",
        "org_connection": "providing",
        "zone": str(zone.pk),
        "project_name": "Summer youth club",
        "brief": "Weekly sessions and three trips for young people on the estate.",
        "amount_requested": "£4,800",
        "themes": [str(theme.pk)],
        "beneficiaries": "Young people living on the estate",
        "beneficiary_count": "40",
        "beneficiary_ages": "11 to 16",
        "starts_on": "2026-06-01",
        "ends_on": "2026-08-31",
        "eligibility": ["0", "1"],
        "has_safeguarding_policy": "yes",
        "safeguarding_details": "Two DBS-checked leaders at every session.",
        "has_insurance": "yes",
        "contact_name": "Private Contact Person",
        "contact_email": "private.contact@example.org",
        "contact_phone": "07700 900123",
        "items-TOTAL_FORMS": "8",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items-0-description": "Hall hire, 12 sessions",
        "items-0-cost": "£3,000",
        "items-1-description": "Coach for three trips",
        "items-1-cost": "1800.00",
        "action": "submit",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _apply(client, grant_round, **changes):
    return client.post(
        reverse("grants:apply", kwargs={"slug": grant_round.slug}),
        form_data(grant_round, **changes),
    )


def _nothing_saved() -> None:
    assert Application.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert BudgetItem.objects.count() == 0


def _draft(applicant, grant_round, **kwargs) -> Application:
    kwargs.setdefault("reference", "PZ-2023-0042")
    application = ApplicationFactory(
        round=grant_round,
        applicant=applicant,
        project_name="Old name",
        amount_requested=Decimal("2000.00"),
        **kwargs,
    )
    return application


# Signing in --------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in_and_back(client, grant_round):
    url = reverse("grants:apply", kwargs={"slug": grant_round.slug})

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    for name in ["grants:my-applications"]:
        assert client.get(reverse(name)).status_code == 302


def test_apply_page_shows_the_round_and_an_empty_form(client, applicant, grant_round):
    client.force_login(applicant)

    response = client.get(reverse("grants:apply", kwargs={"slug": grant_round.slug}))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Spring 2026" in content
    assert "You can ask for up to £10,000.00" in content
    assert "(UK time)" in content
    # The only zone is chosen already; eight empty budget rows; a checkbox per question.
    zone = grant_round.zones.get()
    assert f'value="{zone.pk}" checked' in content
    assert 'name="items-7-cost"' in content
    assert 'name="items-8-cost"' not in content
    for question in QUESTIONS:
        assert question in content
    assert "Save and come back later" in content
    assert "Submit the application" in content
    assert "These contact details are private" in content
    assert "confirm your email address" not in content


# Save and come back --------------------------------------------------------------------------


def test_save_a_draft_and_come_back_to_it(client, applicant, grant_round):
    client.force_login(applicant)

    response = _apply(
        client,
        grant_round,
        action="save",
        amount_requested="",
        brief="",
        themes=None,
        eligibility=None,
        has_insurance=None,
        contact_name="",
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "grants:application-edit", kwargs={"reference": application.reference}
    )
    assert application.status == Application.Status.DRAFT
    assert application.applicant == applicant
    assert application.amount_requested is None
    assert application.eligibility_answers == dict.fromkeys(QUESTIONS, False)
    assert application.has_insurance is None
    assert application.has_safeguarding_policy is True
    assert [(i.description, i.amount) for i in application.budget_items.all()] == [
        ("Hall hire, 12 sessions", Decimal("3000.00")),
        ("Coach for three trips", Decimal("1800.00")),
    ]
    organisation = application.organisation
    assert organisation.name == "New Parks Youth Club"
    assert organisation.charity_number == "1012345"
    assert organisation.postcode == "LE3 9PW"
    assert list(organisation.owners.all()) == [applicant]
    assert AuditEvent.objects.filter(verb="grants.organisation_created").count() == 1

    page = client.get(response["Location"], follow=True).content.decode()
    assert "is saved" in page
    assert 'value="Summer youth club"' in page
    assert 'value="Hall hire, 12 sessions"' in page
    assert 'value="2026-06-01"' in page
    assert "Still to do before you can submit" in page
    assert "Enter the amount you are asking for." in page
    assert "Say whether you have public liability insurance." in page
    # The organisation is now one to choose, and is chosen.
    assert f'value="{organisation.pk}" checked' in page

    # Coming back, the applicant finishes it and submits with their saved organisation.
    response = client.post(
        response["Location"],
        form_data(
            grant_round,
            organisation=str(organisation.pk),
            org_name="",
            org_type="",
            org_charity_number="",
        ),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert Organisation.objects.count() == 1
    assert Application.objects.count() == 1


def test_a_draft_needs_only_who_where_and_a_name(client, applicant, grant_round):
    client.force_login(applicant)

    response = client.post(
        reverse("grants:apply", kwargs={"slug": grant_round.slug}),
        {
            "action": "save",
            "organisation": "new",
            "items-TOTAL_FORMS": "8",
            "items-INITIAL_FORMS": "0",
        },
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Enter the organisation&#x27;s name." in content
    assert "Choose the type of organisation." in content
    assert "Enter the project&#x27;s name." in content
    _nothing_saved()


def test_submit_sends_a_complete_application(client, applicant, grant_round):
    client.force_login(applicant)

    response = _apply(client, grant_round, org_company_number="01234567", org_type="company")

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "grants:application-detail", kwargs={"reference": application.reference}
    )
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_at is not None
    assert application.amount_requested == Decimal("4800.00")
    assert application.budget_total() == Decimal("4800.00")
    assert application.eligibility_answers == dict.fromkeys(QUESTIONS, True)
    assert application.starts_on == datetime.date(2026, 6, 1)
    assert application.beneficiary_count == 40
    assert list(application.themes.all()) == [grant_round.themes.order_by("pk").first()]
    # Kept as text, so the leading zero survives.
    assert application.organisation.company_number == "01234567"
    assert AuditEvent.objects.filter(verb="grants.application_submit").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "has been submitted" in page
    assert "Submitted" in page
    assert "Private Contact Person" in page
    assert "£4,800.00" in page


def test_blank_budget_rows_are_ignored_and_more_rows_can_be_added(client, applicant, grant_round):
    client.force_login(applicant)
    url = reverse("grants:apply", kwargs={"slug": grant_round.slug})

    response = client.post(url, form_data(grant_round, action="add_rows"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="items-11-cost"' in content
    assert 'name="items-12-cost"' not in content
    assert 'value="Hall hire, 12 sessions"' in content
    assert 'value="£3,000"' in content
    assert 'value="Summer youth club"' in content
    assert "There is a problem" not in content
    _nothing_saved()

    data = form_data(grant_round, **{"items-TOTAL_FORMS": "12"})
    data.update({"items-10-description": "Art materials", "items-10-cost": "£200"})
    data["amount_requested"] = "£5,000"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Application.objects.get().budget_items.count() == 3


def test_half_filled_budget_rows_say_what_is_missing(client, applicant, grant_round):
    client.force_login(applicant)

    response = _apply(
        client,
        grant_round,
        **{"items-2-description": "Snacks", "items-3-cost": "£50", "items-4-cost": "fifty"},
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Enter the cost of “Snacks”." in content
    assert "Say what the £50.00 is for." in content
    assert "“fifty” is not an amount of money" in content
    assert 'href="#id_items-2-cost"' in content
    assert 'value="fifty"' in content
    _nothing_saved()


# Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"amount_requested": "£10,000.01", "items-1-cost": "7000.01"},
            "amount_requested",
            "The most this round can give is £10,000.00; you asked for £10,000.01.",
        ),
        (
            {"amount_requested": "ten thousand"},
            "amount_requested",
            "“ten thousand” is not an amount of money: write it in figures",
        ),
        ({"amount_requested": "-5"}, "amount_requested", "“-5” is a negative amount"),
        (
            {"org_charity_number": "12345"},
            "org_charity_number",
            "“12345” is not a charity number in England and Wales",
        ),
        (
            {"org_charity_number": "1012345-123"},
            "org_charity_number",
            "is not a charity number in England and Wales",
        ),
        (
            {"org_company_number": "1234567"},
            "org_company_number",
            "“1234567” is not a company number",
        ),
        (
            {"items-1-cost": "£1,000"},
            "items-0-description",
            "The budget items add up to £4,000.00 but you asked for £4,800.00",
        ),
        (
            {"themes": None},
            "themes_0",
            "Choose at least one of the research themes this round funds.",
        ),
        (
            {"eligibility": ["1"]},
            "eligibility_0",
            "Confirm: We are a not-for-profit group.",
        ),
        ({"ends_on": "2026-05-01"}, "ends_on", "The project must end after it starts."),
        ({"starts_on": "31/02/2026"}, "starts_on", "Enter the start date as a real date"),
        ({"contact_email": "asha at home"}, "contact_email", "Enter an email address"),
    ],
    ids=[
        "over-the-cap",
        "words",
        "negative",
        "short-charity-number",
        "charity-suffix",
        "company-number-lost-its-zero",
        "budget-does-not-sum",
        "no-theme",
        "eligibility-unticked",
        "ends-before-start",
        "impossible-date",
        "bad-email",
    ],
)
def test_bad_input_is_answered_clearly_kept_and_nothing_is_saved(
    client, applicant, grant_round, changes, field, message
):
    client.force_login(applicant)

    response = _apply(client, grant_round, **changes)

    content = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    assert "There is a problem" in content
    assert message in content
    # The summary links to the control the message is about.
    assert f'href="#id_{field}"' in content
    for value in changes.values():
        if isinstance(value, str) and value:
            assert f'value="{value}"' in content
    assert 'value="Summer youth club"' in content
    assert 'value="Hall hire, 12 sessions"' in content
    _nothing_saved()


def test_a_failed_submission_leaves_the_saved_draft_exactly_as_it_was(
    client, applicant, grant_round
):
    draft = _draft(applicant, grant_round)
    before_items = list(draft.budget_items.values_list("description", "amount"))
    before_themes = list(draft.themes.all())
    client.force_login(applicant)
    url = reverse("grants:application-edit", kwargs={"reference": draft.reference})

    # Saving would be fine, but the service refuses the submission: nothing is written at all.
    response = client.post(
        url,
        form_data(
            grant_round,
            organisation=str(draft.organisation_id),
            project_name="New name",
            themes=None,
            amount_requested="£10,000.01",
            **{"items-1-cost": "7000.01"},
        ),
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "The most this round can give is £10,000.00" in content
    assert "Choose at least one of the research themes" in content
    assert 'value="New name"' in content
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT
    assert draft.project_name == "Old name"
    assert draft.amount_requested == Decimal("2000.00")
    assert list(draft.budget_items.values_list("description", "amount")) == before_items
    assert list(draft.themes.all()) == before_themes
    assert Organisation.objects.count() == 1
    assert not AuditEvent.objects.filter(verb="grants.application_saved").exists()


def test_the_round_minimum_and_the_cap_itself(client, applicant, db):
    grant_round = GrantRoundFactory(minimum_award=Decimal("500.00"))
    client.force_login(applicant)

    response = _apply(
        client,
        grant_round,
        amount_requested="£499.99",
        **{"items-0-cost": "£300", "items-1-cost": "£199.99"},
    )
    assert response.status_code == 400
    assert "The smallest grant in this round is £500.00; you asked for £499.99." in (
        response.content.decode()
    )
    _nothing_saved()

    response = _apply(
        client,
        grant_round,
        amount_requested="£10,000",
        **{"items-0-cost": "£8,200", "items-1-cost": "£1,800.00"},
    )
    assert response.status_code == 302
    assert Application.objects.get().amount_requested == Decimal("10000.00")


def test_an_unconfirmed_email_can_save_but_not_submit(client, grant_round):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    url = reverse("grants:apply", kwargs={"slug": grant_round.slug})

    page = client.get(url).content.decode()
    assert "before you can submit it you need to confirm your email address" in page
    assert f"{reverse('accounts:confirm-email-resend')}?next={url}" in page

    response = client.post(url, form_data(grant_round))
    assert response.status_code == 400
    assert "Confirm your email address before you submit" in response.content.decode()
    assert 'value="Summer youth club"' in response.content.decode()
    _nothing_saved()

    response = client.post(url, form_data(grant_round, action="save"))
    assert response.status_code == 302
    assert Application.objects.get().status == Application.Status.DRAFT


# Closing time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closes", "utc_close"),
    [
        # 27 March 2023 is in British Summer Time (the clocks went forward on 26 March).
        (datetime.datetime(2023, 3, 27, 17, 0, tzinfo=LONDON), datetime.datetime(2023, 3, 27, 16)),
        # 20 March 2023 is in Greenwich Mean Time.
        (datetime.datetime(2023, 3, 20, 17, 0, tzinfo=LONDON), datetime.datetime(2023, 3, 20, 17)),
    ],
    ids=["bst", "gmt"],
)
def test_submitting_at_the_last_second_and_at_closing_time(client, applicant, closes, utc_close):
    assert closes.astimezone(datetime.UTC).replace(tzinfo=None) == utc_close
    grant_round = GrantRoundFactory(opens_at=closes - datetime.timedelta(days=30), closes_at=closes)
    early = _draft(applicant, grant_round, reference="PZ-2022-0001")
    late = _draft(applicant, grant_round, reference="PZ-2022-0002")
    client.force_login(applicant)

    def submit(application, moment):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            return client.post(
                reverse("grants:application-edit", kwargs={"reference": application.reference}),
                form_data(grant_round, organisation=str(application.organisation_id)),
            )

    response = submit(early, closes - datetime.timedelta(seconds=1))
    assert response.status_code == 302
    early.refresh_from_db()
    assert early.status == Application.Status.SUBMITTED

    response = submit(late, closes)
    content = response.content.decode()
    assert response.status_code == 400
    day = closes.strftime("%d March 2023")
    assert f"This round closed at 17:00 on {day} (UK time)" in content
    assert 'value="Summer youth club"' in content
    late.refresh_from_db()
    assert late.status == Application.Status.DRAFT
    assert late.project_name == "Old name"


def test_a_closed_round_takes_no_new_applications(client, applicant, db):
    grant_round = GrantRoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(applicant)
    url = reverse("grants:apply", kwargs={"slug": grant_round.slug})

    page = client.get(url)
    assert page.status_code == 200
    assert "This round is closed" in page.content.decode()
    assert client.post(url, form_data(grant_round, action="save")).status_code == 400
    _nothing_saved()


# Who may see an application -----------------------------------------------------------------


def _pages(application, item=None):
    reference = application.reference
    pages = [
        ("get", reverse("grants:application-detail", kwargs={"reference": reference})),
        ("get", reverse("grants:application-edit", kwargs={"reference": reference})),
        ("get", reverse("grants:application-withdraw", kwargs={"reference": reference})),
        ("post", reverse("grants:application-withdraw", kwargs={"reference": reference})),
        ("post", reverse("grants:application-message", kwargs={"reference": reference})),
    ]
    if item is not None:
        pages.append(
            ("get", reverse("grants:return-submit", kwargs={"reference": reference, "pk": item.pk}))
        )
    return pages


def _award(application, **kwargs) -> Award:
    application.status = Application.Status.APPROVED
    application.save()
    return Award.objects.create(
        application=application,
        amount=kwargs.pop("amount", Decimal("4000.00")),
        identifier=f"360G-pztest-{application.reference}",
        conditions="Send a photo of the club.",
        decided_on=datetime.date(2026, 3, 1),
        **kwargs,
    )


def test_other_people_get_not_found_not_forbidden(client, applicant, grant_round):
    application = _draft(applicant, grant_round)
    item = MonitoringReturn.objects.create(
        award=_award(application), due_on=datetime.date(2026, 9, 1)
    )
    someone = UserFactory()
    assessor = UserFactory(roles=[ProgrammeRole.ASSESSOR])
    missing = Application(reference="PZ-9999-9999")

    for user in [someone, assessor]:
        client.force_login(user)
        for method, url in _pages(application, item):
            response = getattr(client, method)(url, {"body": "hi"} if method == "post" else None)
            assert response.status_code == 404, (user, url)
            assert "Private Contact Person" not in response.content.decode()
    for method, url in _pages(missing):
        assert getattr(client, method)(url).status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert not Message.objects.exists()


def test_organisation_owners_and_staff_see_it_but_staff_cannot_edit(client, applicant, grant_round):
    application = _draft(applicant, grant_round)
    colleague = UserFactory()
    application.organisation.owners.add(colleague)
    staff = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])
    detail = reverse("grants:application-detail", kwargs={"reference": application.reference})
    edit = reverse("grants:application-edit", kwargs={"reference": application.reference})

    client.force_login(colleague)
    assert client.get(detail).status_code == 200
    assert client.get(edit).status_code == 200
    client.force_login(staff)
    assert client.get(detail).status_code == 200
    assert client.get(edit).status_code == 404


def test_a_submitted_application_can_no_longer_be_edited(client, applicant, grant_round):
    application = _draft(applicant, grant_round)
    application.status = Application.Status.SUBMITTED
    application.save()
    client.force_login(applicant)

    response = client.get(
        reverse("grants:application-edit", kwargs={"reference": application.reference}),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse(
        "grants:application-detail", kwargs={"reference": application.reference}
    )
    assert "can no longer be changed" in response.content.decode()


# Dashboard, messages, withdrawal, resubmission ------------------------------------------------


def test_dashboard_lists_own_applications_with_what_happens_next(
    client, applicant, grant_round, django_assert_max_num_queries
):
    draft = _draft(applicant, grant_round)
    sent = ApplicationFactory(
        round=grant_round, applicant=applicant, status=Application.Status.SUBMITTED
    )
    funded = ApplicationFactory(round=grant_round, applicant=applicant)
    award = _award(funded, amount=Decimal("3500.00"))
    MonitoringReturn.objects.create(
        award=award, title="Half-way return", due_on=datetime.date(2026, 9, 1)
    )
    not_mine = ApplicationFactory(round=grant_round, project_name="Somebody else's project")
    recommended = ApplicationFactory(
        round=grant_round, applicant=applicant, status=Application.Status.NOT_RECOMMENDED
    )
    client.force_login(applicant)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("grants:my-applications"))

    content = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    for application in [draft, sent, funded, recommended]:
        assert application.project_name in content
    assert not_mine.project_name not in content
    assert "Finish it and submit it before the round closes" in content
    assert "The programme team will check that it meets the round's rules" in content
    assert "£3,500.00" in content
    assert "£2,000.00" in content
    assert "Half-way return, due 1 September 2026" in content
    # Recommendations stay internal until the commissioner decides.
    assert "Not recommended" not in content
    assert "Waiting for the decision" in content


def test_account_dashboard_links_to_the_applications(client, applicant):
    client.force_login(applicant)

    content = client.get(reverse("accounts:dashboard")).content.decode()

    assert reverse("grants:my-applications") in content


def test_messages_from_the_team_and_a_reply(client, applicant, grant_round):
    application = _draft(applicant, grant_round)
    application.status = Application.Status.MORE_INFORMATION
    application.save()
    staff = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM], full_name="Sam Staffer")
    Message.objects.create(
        application=application, author=staff, from_staff=True, body="Please add a quote."
    )
    client.force_login(applicant)
    detail = reverse("grants:application-detail", kwargs={"reference": application.reference})
    url = reverse("grants:application-message", kwargs={"reference": application.reference})

    page = client.get(detail).content.decode()
    assert "Please add a quote." in page
    assert "Programme team" in page
    assert "Sam Staffer" not in page
    assert "Change and submit it again" in page

    response = client.post(url, {"body": "  "})
    assert response.status_code == 400
    assert "Write a message." in response.content.decode()

    response = client.post(url, {"body": "The quote is attached to our email."})
    assert response.status_code == 302
    reply = application.messages.latest("pk")
    assert reply.body == "The quote is attached to our email."
    assert reply.from_staff is False
    assert reply.author == applicant


def test_resubmitting_after_more_information_was_requested(client, applicant, grant_round):
    application = _draft(applicant, grant_round)
    application.status = Application.Status.MORE_INFORMATION
    application.submitted_at = timezone.now() - datetime.timedelta(days=3)
    application.save()
    client.force_login(applicant)

    response = client.post(
        reverse("grants:application-edit", kwargs={"reference": application.reference}),
        form_data(
            grant_round,
            organisation=str(application.organisation_id),
            brief="Now with a quote for the coach.",
        ),
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.brief == "Now with a quote for the coach."


def test_withdraw_after_confirming(client, applicant, grant_round):
    application = _draft(applicant, grant_round)
    application.status = Application.Status.SUBMITTED
    application.save()
    client.force_login(applicant)
    url = reverse("grants:application-withdraw", kwargs={"reference": application.reference})

    page = client.get(url).content.decode()
    assert "Are you sure you want to withdraw the application?" in page
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    response = client.post(url, {"reason": "We found other funding."})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert application.messages.get().body == "We found other funding."
    page = client.get(response["Location"]).content.decode()
    assert "You have withdrawn application" in page
    assert "Withdraw the application" not in page

    response = client.post(url, {})
    assert response.status_code == 400
    assert "cannot be moved that way" in response.content.decode()


# Monitoring returns ----------------------------------------------------------------------------


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (800, 600), "orange")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "N", 2: (52.0, 38.0, 0.0), 3: "W", 4: (1.0, 11.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_award_page_and_a_monitoring_return_with_a_clean_photo(
    client, applicant, grant_round, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    application = _draft(applicant, grant_round)
    award = _award(application, amount=Decimal("1950.00"))
    item = MonitoringReturn.objects.create(
        award=award, title="End of project", due_on=datetime.date(2026, 9, 1)
    )
    client.force_login(applicant)
    detail = reverse("grants:application-detail", kwargs={"reference": application.reference})
    url = reverse(
        "grants:return-submit", kwargs={"reference": application.reference, "pk": item.pk}
    )

    page = client.get(detail).content.decode()
    assert "£1,950.00" in page
    assert "Send a photo of the club." in page
    assert "End of project" in page
    assert url in page

    response = client.post(
        url,
        {
            "outputs": "",
            "people_reached": "lots",
            "spend_to_date": "about a grand",
            "story": "Jo came every week.",
        },
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Say what the project has delivered." in content
    assert "Enter the number of people in figures" in content
    assert "“about a grand” is not an amount of money" in content
    assert 'value="about a grand"' in content
    assert "Jo came every week." in content
    item.refresh_from_db()
    assert item.status == MonitoringReturn.Status.DUE

    response = client.post(
        url,
        {
            "outputs": "Twelve sessions and two trips.",
            "people_reached": "38",
            "spend_to_date": "£1,200.50",
            "story": "Jo came every week.",
            "photo": SimpleUploadedFile("club.jpg", _jpeg_with_gps(), content_type="image/jpeg"),
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == MonitoringReturn.Status.SUBMITTED
    assert item.people_reached == 38
    assert item.spend_to_date == Decimal("1200.50")
    with Image.open(item.photo.path) as image:
        assert not image.getexif()
    assert b"SpyCam" not in item.photo.open("rb").read()
    page = client.get(detail).content.decode()
    assert "Spent so far: £1,200.50." in page


def test_a_bad_photo_is_refused_and_the_return_kept(
    client, applicant, grant_round, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    application = _draft(applicant, grant_round)
    item = MonitoringReturn.objects.create(
        award=_award(application), due_on=datetime.date(2026, 9, 1)
    )
    client.force_login(applicant)
    url = reverse(
        "grants:return-submit", kwargs={"reference": application.reference, "pk": item.pk}
    )

    response = client.post(
        url,
        {
            "outputs": "Twelve sessions.",
            "photo": SimpleUploadedFile("x.jpg", b"%PDF-1.4 nope", content_type="image/jpeg"),
        },
    )

    assert response.status_code == 400
    assert "not a photo we can read" in response.content.decode()
    assert "Twelve sessions." in response.content.decode()
    item.refresh_from_db()
    assert item.status == MonitoringReturn.Status.DUE
    assert not item.photo


def test_an_accepted_return_cannot_be_changed(client, applicant, grant_round):
    application = _draft(applicant, grant_round)
    item = MonitoringReturn.objects.create(
        award=_award(application),
        due_on=datetime.date(2026, 9, 1),
        status=MonitoringReturn.Status.ACCEPTED,
        outputs="Done.",
    )
    client.force_login(applicant)
    url = reverse(
        "grants:return-submit", kwargs={"reference": application.reference, "pk": item.pk}
    )

    response = client.post(url, {"outputs": "Changed."})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outputs == "Done."


def test_choosing_an_organisation_of_someone_else_is_refused(client, applicant, grant_round):
    theirs = OrganisationFactory(name="Not Yours Ltd")
    client.force_login(applicant)

    response = _apply(client, grant_round, organisation=str(theirs.pk))

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Application.objects.count() == 0
