"""Chinese by default, English on request, and every catalogue entry translated."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_pages_are_in_simplified_chinese_by_default(client):
    response = client.get("/")
    assert response["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "德清地理信息小镇党群服务中心" in html


@pytest.mark.django_db
def test_language_can_be_switched_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    english = client.get("/").content.decode()
    assert "Deqing GIS Town Party and Masses Service Centre" in english
    assert "Member login" in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "党员登录" in client.get("/").content.decode()


@pytest.mark.django_db
def test_every_page_offers_the_language_switch(client):
    for url in ["/", "/accounts/login/", "/does-not-exist/"]:
        assert 'action="/i18n/setlang/"' in client.get(url).content.decode()


@pytest.mark.django_db
def test_admin_is_titled_in_chinese(client, staff):
    client.force_login(staff)
    assert "德清地理信息小镇党群服务中心" in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_friendly_not_found_page_in_both_languages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Page not found" in client.get("/no-such-page/").content.decode()


def catalogues():
    return [
        p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts
    ]


def test_the_chinese_catalogues_are_shipped_and_complete():
    found = catalogues()
    assert ROOT / "locale/zh_Hans/LC_MESSAGES/django.po" in found
    missing = []
    for path in found:
        po = polib.pofile(str(path))
        missing += [f"{path.relative_to(ROOT)}: {e.msgid!r}" for e in po.untranslated_entries()]
        missing += [f"{path.relative_to(ROOT)} (fuzzy): {e.msgid!r}" for e in po.fuzzy_entries()]
    assert missing == []


def test_no_two_catalogues_translate_the_same_text_differently():
    # Django merges every catalogue into one per language: the same msgid (and context) gets
    # one translation, the first catalogue's. A second, different translation is silently
    # ignored, so a label the developer checked in one app would read otherwise on the page.
    # Where two meanings need two words, the code must use distinct msgids or pgettext.
    seen: dict[tuple, tuple[str, str]] = {}
    clashes = []
    for path in catalogues():
        for entry in polib.pofile(str(path)):
            if entry.obsolete or entry.msgid_plural:
                continue
            key = (entry.msgctxt, entry.msgid)
            where = str(path.relative_to(ROOT)).split("/")[0]
            if key in seen and seen[key][1] != entry.msgstr:
                clashes.append(
                    f"{entry.msgid!r}: {seen[key][0]}={seen[key][1]} {where}={entry.msgstr}"
                )
            seen.setdefault(key, (where, entry.msgstr))
    assert clashes == []
