import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import PASSWORD, UserFactory, ZoneMembershipFactory


def test_sign_in_with_email_and_password_goes_to_the_dashboard(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:dashboard")
    assert "Your dashboard" in response.content.decode()


def test_sign_in_with_a_wrong_password_keeps_the_email_and_says_what_to_do(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "Enter a correct email address and password" in content
    assert f'value="{user.email}"' in content
    assert "wrong" not in content


def test_sign_out_is_a_post(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_dashboard_needs_sign_in(client, db):
    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_shows_roles_and_zones(client, db, django_assert_max_num_queries):
    membership = ZoneMembershipFactory(role="chair")
    user = membership.user
    user.groups.add(Group.objects.get(name="Panel member"))
    client.force_login(user)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:dashboard"))

    content = response.content.decode()
    assert "Panel member" in content
    assert membership.zone.name in content
    assert "Chair" in content


def test_password_reset_sends_a_link_that_sets_a_new_password(client, db):
    user = UserFactory(email="jo@example.org")

    response = client.post(reverse("accounts:password-reset"), {"email": "jo@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body)
    assert link

    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a-brand-new-password-7", "new_password2": "a-brand-new-password-7"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-password-7")


def test_password_reset_does_not_reveal_whether_an_account_exists(client, db):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("roles", "links"),
    [
        ([], set()),
        ([ProgrammeRole.ASSESSOR], {"/grants/staff/"}),
        ([ProgrammeRole.FINANCE], {"/grants/staff/", "/finance/"}),
        (
            [ProgrammeRole.PROGRAMME_TEAM],
            {"/grants/staff/", "/finance/", "/insight/", "/payback/"},
        ),
    ],
)
def test_the_dashboard_links_to_the_staff_tools_a_role_opens(client, db, roles, links):
    client.force_login(UserFactory(roles=roles))
    content = client.get(reverse("accounts:dashboard")).content.decode()
    for address in ["/grants/staff/", "/finance/", "/insight/", "/payback/"]:
        assert (f'href="{address}"' in content) == (address in links), address
