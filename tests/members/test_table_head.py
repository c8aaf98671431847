"""{% table_head %}: every data table's head is drawn one way, each column header scoped."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation


def _render(source: str, **context) -> str:
    return Template("{% load i18n tables %}" + source).render(Context(context))


def test_one_scoped_header_per_label_in_order():
    html = _render('{% table_head "Week" label "" %}', label="Organisation")
    assert html.count('<th scope="col">') == 3
    assert html.index(">Week<") < html.index(">Organisation<") < html.index("></th>")


def test_labels_are_translated_and_escaped():
    with translation.override("zh-hans"):
        html = _render('{% table_head _("Status") label %}', label="<b>x</b>")
    assert ">状态<" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
