"""Through ``crm serve``: every stylesheet and script a page links has a content-hashed name and
comes back cacheable for a year without revalidation (issue 17, item 13); the front-end
libraries installed from npm are served the same way."""

from __future__ import annotations

import re

from crm_core.static_files import IMMUTABLE

ASSET = re.compile(r'(?:href|src)="(/assets/[^"]+)"')
HASHED = re.compile(r"^/assets/[a-z_]+/.+\.[0-9a-f]{12}\.(css|js|svg|png|ico)$")


def _assets(html: str) -> list[str]:
    return ASSET.findall(html)


def test_pages_link_hashed_assets_served_immutable(production):
    client = production.server.login("leader")
    seen: set[str] = set()
    for path in ("/", "/activities/calendar", "/s/opportunities/board", "/api/v1/docs"):
        page = client.get(path)
        assert page.status_code == 200, path
        links = _assets(page.text)
        assert links, f"{path} links no stylesheet or script"
        assert not re.search(r'(?:href|src)="/(?:static|bootstrap/static)/', page.text), path
        seen.update(links)
    assert any("/vendor/fullcalendar/" in u for u in seen)
    assert any("/vendor/echarts/" in u for u in seen)
    assert any("/vendor/sortablejs/" in u for u in seen)
    assert any("/vendor/swagger-ui-dist/" in u for u in seen)
    for url in sorted(seen):
        assert HASHED.match(url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE, url
        assert int(response.headers["Content-Length"]) == len(response.content) > 0, url
    stale = re.sub(r"\.[0-9a-f]{12}\.", ".000000000000.", sorted(seen)[0])
    assert client.get(stale).status_code == 404
