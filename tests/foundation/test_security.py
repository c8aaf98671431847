"""Security headers and the rule that no page loads anything from another host."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", re.I
)


@pytest.mark.django_db
def test_pages_send_the_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_script(client):
    for url in ["/", "/accounts/login/", "/accounts/signup/", "/admin/login/"]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, f"inline script on {url}: {tag}"


def template_files():
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return [
        p
        for folder in folders
        for p in folder.rglob("*")
        if p.suffix in {".html", ".txt", ".css", ".js"}
    ]


def test_no_template_or_asset_references_an_external_host():
    files = template_files() + [
        p
        for p in (ROOT / "static").rglob("*")
        if p.suffix in {".css", ".js"} and "vendor" not in p.parts
    ]
    assert files, "the scan found no templates at all"
    offenders = [
        str(p.relative_to(ROOT))
        for p in files
        if EXTERNAL.search(p.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert offenders == []


def test_the_external_host_scan_catches_a_cdn_link():
    assert EXTERNAL.search('<script src="https://cdn.example.com/x.js"></script>')
    assert EXTERNAL.search('<link href="//fonts.example.com/a.css">')
    assert not EXTERNAL.search('<script src="/static/vendor/htmx/htmx.min.js"></script>')
