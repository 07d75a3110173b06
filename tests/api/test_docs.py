"""The interactive docs load nothing from outside the API (they work offline)."""

from __future__ import annotations

import re


def test_docs__swagger_and_redoc__every_asset_served_locally(make_client, sqlite_only_url):
    client = make_client(sqlite_only_url)
    for page, expected in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        response = client.get(page)
        assert response.status_code == 200
        html = response.text
        assert "http://" not in html and "https://" not in html, page
        csp = response.headers["content-security-policy"]
        assert "http" not in csp and "script-src 'self'" in csp
        assets = re.findall(r"""(?:src|href)=["'](/docs-assets/[^"']+)["']""", html)
        assert any(asset.endswith(expected) for asset in assets), (page, assets)
        for asset in assets:
            served = client.get(asset)
            assert served.status_code == 200, asset
            assert len(served.content) > 1_000, asset
    assert client.get("/docs-assets/nope.js").json()["code"] == "not_found"
