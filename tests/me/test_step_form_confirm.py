"""{% step_form ... confirm=True %}: the button opens the step's confirmation page (a GET)."""

import pytest
from django.template import Context, Template, TemplateSyntaxError


def _render(tag: str, **context) -> str:
    return Template("{% load steps %}" + tag).render(Context(context))


def test_a_confirm_step_is_a_get_form_with_its_params_and_no_csrf_token(db):
    html = _render(
        '{% step_form "points:redeem" button="兑换" params=params small=True confirm=True %}',
        params={"item": 3, "key": "k"},
    )
    assert '<form method="get" action="/points/redeem/">' in html
    assert '<input type="hidden" name="item" value="3">' in html
    assert '<input type="hidden" name="key" value="k">' in html
    assert 'class="button-small"' in html and "csrfmiddlewaretoken" not in html


def test_a_plain_step_still_posts(db):
    html = _render('{% step_form "wishes:wish_withdraw" 7 button="撤回" secondary=True %}')
    assert '<form method="post" action="/wishes/7/withdraw/">' in html
    assert 'class="button-secondary"' in html


def test_a_confirm_step_takes_no_typed_fields(db):
    with pytest.raises(TemplateSyntaxError):
        _render(
            '{% step_form "wishes:wish_reopen" 7 button="x" field=f confirm=True %}', f="reason"
        )
