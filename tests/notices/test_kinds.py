"""Every notice kind renders for every channel it may use, in both languages, with its link
absolute (PORTAL_SITE_URL + path): no mail client or phone has to guess the portal's address."""

from __future__ import annotations

import pytest

from members.notices import actions, kinds
from members.notices.models import Channel

ALL_KINDS = sorted(kinds.KINDS)


def test_the_apps_register_their_kinds():
    assert {"services.request_step", "services.promoted", "wishes.verified"} <= set(ALL_KINDS)
    assert "wishes.staff_digest" in ALL_KINDS


@pytest.mark.parametrize("key", ALL_KINDS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_renders_for_each_of_its_channels(key, language, settings):
    settings.PORTAL_SITE_URL = "https://dangqun.example.cn"
    spec = kinds.get(key)
    assert spec.example, f"{key} declares no example context"
    assert spec.channels and set(spec.channels) <= set(Channel.values)
    text = actions.render(spec, spec.example, spec.example_link, language)
    assert text.subject and "\n" not in text.subject and "{" not in text.subject
    assert text.link == "https://dangqun.example.cn" + spec.example_link
    if language == "zh-hans":
        # Translated: the subject carries Chinese characters (names alone do not count).
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text.subject.replace("开通公交线路", ""))
    for channel in spec.channels:
        subject, body = text.for_channel(channel)
        assert text.link in body, f"{key} by {channel} has no absolute link"
        assert "&amp;" not in body and "&lt;" not in body and "{%" not in body
        if channel == Channel.EMAIL:
            assert subject == text.subject and text.body in body
        elif channel == Channel.SMS:
            assert len(body) <= 70 + len(text.link), "an SMS carries the subject and the link"
        else:
            assert body.startswith(text.subject)  # robots: the subject heads the text
