from peoplezones.core.testing import http_request


def test_openapi_document_builds_and_lists_every_endpoint(live_server):
    result = http_request(f"{live_server.url}/api/v1/openapi.json")

    assert result.status == 200
    schema = result.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "People Zones API"
    assert {"/api/v1/zones", "/api/v1/zones/{slug}", "/api/v1/me"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{"TokenAuth": []}]


def test_api_docs_page_is_served_without_reaching_the_internet(live_server):
    result = http_request(f"{live_server.url}/api/v1/docs")

    assert result.status == 200
    page = result.body.decode()
    assert "openapi.json" in page
    assert "cdn." not in page
