from django.db import OperationalError, connection
from django.urls import reverse


def test_healthz_answers_ok_after_a_database_round_trip(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable(client, db):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    # execute_wrapper is Django's own hook on every query: the failure happens exactly where an
    # unreachable server would make it happen.
    with connection.execute_wrapper(refuse):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_refuses_other_methods(client, db):
    assert client.post("/healthz").status_code == 405


def test_accessibility_statement_follows_the_model_statement(client, db):
    response = client.get(reverse("core:accessibility"))

    content = response.content.decode()
    assert response.status_code == 200
    for heading in [
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website",
        "Compliance status",
        "Non-accessible content",
        "What we",
        "Preparation of this accessibility statement",
    ]:
        assert heading in content


def test_privacy_notice_is_linked_from_every_page(client, db):
    for url in ["/", reverse("core:accessibility"), reverse("accounts:login")]:
        content = client.get(url).content.decode()
        assert reverse("core:privacy") in content
        assert reverse("core:accessibility") in content


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_page_is_plain_and_reveals_nothing(client, db, settings):
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))

    content = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in content
    assert "Traceback" not in content


def test_an_unknown_api_address_is_a_json_404_whatever_the_method(client, db):
    for method in (client.get, client.post, client.delete):
        response = method("/api/v1/no-such-thing/here")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert "/api/v1/docs" in response.json()["detail"]
    # Addresses the API has are not affected.
    assert client.get("/api/v1/zones").status_code == 200


def test_a_method_an_api_address_does_not_take_is_a_json_405(client, db):
    response = client.delete("/api/v1/zones")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET"
    assert response.json()["detail"] == "This address does not take DELETE; it takes GET."
    # Pages outside the API keep Django's answer.
    assert client.post("/healthz").status_code == 405
