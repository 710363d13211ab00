"""The API reference page (issue 17 item 11): public like the OpenAPI document it reads,
Swagger UI from the npm-installed files, no inline script."""

from __future__ import annotations


def test_the_reference_page_is_public_and_loads_swagger_ui_from_hashed_files(crm_app):
    page = crm_app.test_client().get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'data-url="/api/v1/openapi.json"' in html
    assert "/assets/core/vendor/swagger-ui-dist/swagger-ui-bundle." in html
    assert "/assets/core/api-docs." in html and "<script>" not in html
    assert page.headers["Cache-Control"] == "no-store"
