"""What stops an application being submitted: caps, minimums, themes, budgets, the clock."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.grants import services
from peoplezones.grants.models import Application
from peoplezones.grants.tests.factories import ApplicationFactory, GrantRoundFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
S = Application.Status


def _problems(application, **kwargs):
    return services.submission_problems(application, **kwargs)


def test_a_complete_application_has_no_problems():
    assert _problems(ApplicationFactory()) == {}


@pytest.mark.parametrize(
    ("amount", "ok"),
    [
        (Decimal("10000.00"), True),
        (Decimal("10000.01"), False),
        (Decimal("250.00"), True),
        (Decimal("249.99"), False),
    ],
)
def test_the_maximum_and_minimum_award(amount, ok):
    grant_round = GrantRoundFactory(minimum_award=Decimal("250.00"))
    application = ApplicationFactory(
        round=grant_round, amount_requested=amount, items=[("Everything", amount)]
    )
    problems = _problems(application)
    assert ("amount_requested" not in problems) == ok
    if not ok:
        assert any("£" in message for message in problems["amount_requested"])


def test_the_cap_message_names_both_amounts():
    application = ApplicationFactory(
        amount_requested=Decimal("10000.01"), items=[("Everything", Decimal("10000.01"))]
    )
    assert _problems(application)["amount_requested"] == [
        "The most this round can give is £10,000.00; you asked for £10,000.01."
    ]


def test_budget_items_must_add_up_to_the_amount():
    application = ApplicationFactory(
        amount_requested=Decimal("4800.00"),
        items=[("Coach hire", Decimal("3000.00")), ("Kit", Decimal("1799.99"))],
    )
    assert _problems(application)["budget_items"] == [
        "The budget items add up to £4,799.99 but you asked for £4,800.00: they must be the "
        "same (a difference of £0.01)."
    ]


def test_at_least_one_of_the_rounds_themes():
    application = ApplicationFactory(themes=[])
    assert "themes" in _problems(application)


def test_every_eligibility_statement_must_be_confirmed():
    application = ApplicationFactory()
    question = application.round.eligibility_questions[0]
    application.eligibility_answers = {question: False}
    problems = _problems(application)
    assert len(problems["eligibility_answers"]) == 2


def _round_closing(day: datetime.date):
    opens = datetime.datetime.combine(day - datetime.timedelta(days=28), datetime.time(9), LONDON)
    closes = datetime.datetime.combine(day, datetime.time(17), LONDON)
    return GrantRoundFactory(opens_at=opens, closes_at=closes)


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2023, 3, 13),  # GMT: London is UTC+0
        datetime.date(2023, 3, 27),  # the day after the clocks went forward: UTC+1
        datetime.date(2023, 10, 30),  # the day after they went back: UTC+0 again
    ],
)
def test_the_round_closes_at_17_00_00_london_time_whatever_the_season(day):
    grant_round = _round_closing(day)
    applicant = UserFactory()
    application = ApplicationFactory(round=grant_round, applicant=applicant)
    last_second = datetime.datetime.combine(day, datetime.time(16, 59, 59), LONDON)
    closing = datetime.datetime.combine(day, datetime.time(17, 0, 0), LONDON)
    assert _problems(application, now=last_second) == {}
    assert _problems(application, now=closing)["__all__"] == [
        f"This round closed at 17:00 on {day:%d %B %Y} (UK time), so the application can no "
        "longer be submitted. It has been kept as it is."
    ]
    with pytest.raises(ValidationError):
        services.move(application=application, action="submit", actor=applicant, now=closing)
    application.refresh_from_db()
    assert application.status == S.DRAFT
    services.move(application=application, action="submit", actor=applicant, now=last_second)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_the_utc_closing_moment_moves_with_the_clocks():
    in_gmt = _round_closing(datetime.date(2023, 3, 13)).closes_at
    in_bst = _round_closing(datetime.date(2023, 3, 27)).closes_at
    assert in_gmt.astimezone(datetime.UTC).hour == 17
    assert in_bst.astimezone(datetime.UTC).hour == 16


def test_a_round_not_yet_open_refuses_submission():
    grant_round = GrantRoundFactory(
        opens_at=datetime.datetime(2030, 1, 1, 9, tzinfo=LONDON),
        closes_at=datetime.datetime(2030, 2, 1, 17, tzinfo=LONDON),
    )
    application = ApplicationFactory(round=grant_round)
    assert "not opened yet" in _problems(application)["__all__"][0]


def test_a_failed_submission_writes_nothing():
    applicant = UserFactory()
    application = ApplicationFactory(applicant=applicant, themes=[])
    modified = application.modified
    with pytest.raises(ValidationError) as error:
        services.move(application=application, action="submit", actor=applicant)
    assert "themes" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.submitted_at is None
    assert application.modified == modified
