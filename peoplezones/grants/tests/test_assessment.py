"""Conflicts of interest, scores and the ranking table."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.grants import services
from peoplezones.grants.models import Application, ConflictDeclaration, Review
from peoplezones.grants.selectors import ranking
from peoplezones.grants.tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    GrantRoundFactory,
)

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture
def assessed_round():
    grant_round = GrantRoundFactory()
    need = CriterionFactory(round=grant_round, title="Meets a research theme", weight=3)
    delivery = CriterionFactory(round=grant_round, title="Can deliver it", weight=1)
    return grant_round, need, delivery


def _assessor():
    return UserFactory(roles=[ProgrammeRole.ASSESSOR])


def test_scoring_needs_a_declaration_first(assessed_round):
    grant_round, need, _delivery = assessed_round
    application = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
    assessor = _assessor()
    with pytest.raises(ValidationError, match="Declare whether you have a conflict"):
        services.score(application=application, assessor=assessor, scores={need.pk: 4})


def test_a_declared_conflict_bars_scoring_and_is_recorded(assessed_round):
    grant_round, need, delivery = assessed_round
    application = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
    assessor = _assessor()
    with pytest.raises(ValidationError, match="Say what the conflict"):
        services.declare_conflict(application=application, assessor=assessor, has_conflict=True)
    services.declare_conflict(
        application=application,
        assessor=assessor,
        has_conflict=True,
        details="I am the group's treasurer.",
    )
    with pytest.raises(PermissionDenied, match="declared a conflict of interest"):
        services.score(
            application=application, assessor=assessor, scores={need.pk: 5, delivery.pk: 5}
        )
    assert not Review.objects.exists()
    assert AuditEvent.objects.filter(verb="grants.conflict_declared").count() == 1
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        services.declare_conflict(application=application, assessor=assessor, has_conflict=False)
    assert ConflictDeclaration.objects.get().has_conflict


def test_declaring_a_conflict_after_scoring_removes_the_scores(assessed_round):
    grant_round, need, delivery = assessed_round
    application = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
    assessor = _assessor()
    services.declare_conflict(application=application, assessor=assessor, has_conflict=False)
    services.score(application=application, assessor=assessor, scores={need.pk: 5, delivery.pk: 1})
    services.declare_conflict(
        application=application, assessor=assessor, has_conflict=True, details="A relative."
    )
    assert not Review.objects.exists()


def test_scores_are_0_to_5_for_every_criterion(assessed_round):
    grant_round, need, delivery = assessed_round
    application = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
    assessor = _assessor()
    services.declare_conflict(application=application, assessor=assessor, has_conflict=False)
    with pytest.raises(ValidationError) as error:
        services.score(application=application, assessor=assessor, scores={need.pk: 6})
    assert set(error.value.message_dict) == {f"criterion_{need.pk}", f"criterion_{delivery.pk}"}
    assert not Review.objects.exists()


def test_only_assessors_score_and_only_during_assessment(assessed_round):
    grant_round, need, delivery = assessed_round
    application = ApplicationFactory(round=grant_round, status=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.declare_conflict(
            application=application, assessor=UserFactory(), has_conflict=False
        )
    assessor = _assessor()
    services.declare_conflict(application=application, assessor=assessor, has_conflict=False)
    with pytest.raises(ValidationError, match="being assessed"):
        services.score(
            application=application, assessor=assessor, scores={need.pk: 3, delivery.pk: 3}
        )


def test_the_weighted_mean_and_the_ranking_with_its_spread(assessed_round):
    grant_round, need, delivery = assessed_round
    strong = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
    weak = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
    unscored = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
    ApplicationFactory(round=grant_round, status=S.DRAFT)
    first, second, third = _assessor(), _assessor(), _assessor()
    for assessor, strong_scores, weak_scores in [
        (first, (5, 3), (2, 2)),
        (second, (4, 4), (1, 5)),
    ]:
        for application, (a, b) in [(strong, strong_scores), (weak, weak_scores)]:
            services.declare_conflict(
                application=application, assessor=assessor, has_conflict=False
            )
            services.score(
                application=application, assessor=assessor, scores={need.pk: a, delivery.pk: b}
            )
    services.declare_conflict(
        application=weak, assessor=third, has_conflict=True, details="Trustee."
    )
    # (5*3 + 3*1)/4 = 4.5 and (4*3 + 4*1)/4 = 4.0; weak: 2.0 and (3 + 5)/4 = 2.0
    rows = ranking(grant_round)
    assert [row.application for row in rows] == [strong, weak, unscored]
    assert rows[0].mean == Decimal("4.25")
    assert rows[0].lowest == Decimal("4.0000")
    assert rows[0].highest == Decimal("4.5000")
    assert rows[0].spread == Decimal("0.25")
    assert rows[1].mean == Decimal("2.00")
    assert rows[1].spread == Decimal("0.00")
    assert rows[1].conflicts == 1
    assert rows[2].reviews == 0
    assert rows[2].mean is None


def test_the_ranking_takes_a_fixed_number_of_queries(assessed_round, django_assert_max_num_queries):
    grant_round, need, delivery = assessed_round
    assessors = [_assessor() for _ in range(3)]
    for _ in range(12):
        application = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
        for assessor in assessors:
            services.declare_conflict(
                application=application, assessor=assessor, has_conflict=False
            )
            services.score(
                application=application, assessor=assessor, scores={need.pk: 3, delivery.pk: 4}
            )
    with django_assert_max_num_queries(2):
        rows = ranking(grant_round)
        assert len(rows) == 12
        assert all(row.application.organisation.name for row in rows)
