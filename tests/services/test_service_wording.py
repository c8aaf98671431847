"""The service flow keeps its own Chinese words (点单/接单/拒单, 已报名) beside rota's 已确认."""

from django.utils import translation

from rota.models import DutyWeek
from services.models import ServiceRequest, SignUp


def test_service_statuses_use_the_service_flow_words():
    with translation.override("zh-hans"):
        assert str(ServiceRequest.Status.REQUESTED.label) == "已点单"
        assert str(SignUp.Status.CONFIRMED.label) == "已报名"
        assert str(SignUp.Status.CANCELLED.label) == "已取消"
        # The same English word elsewhere keeps its own translation.
        assert str(DutyWeek.Status.CONFIRMED.label) == "已确认"
        assert translation.pgettext("service request", "Accept") == "接单"
        assert translation.pgettext("service request", "Decline") == "拒单"


def test_the_service_list_filters_with_the_word_people_use(client, db):
    """筛选, as the wish wall says, not Django's own 过滤器 for a bare "Filter"."""
    client.cookies["django_language"] = "zh-hans"

    html = client.get("/services/").content.decode()

    assert '<button type="submit">筛选</button>' in html
    assert "过滤器" not in html
