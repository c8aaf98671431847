"""The public service list and service pages: filters, Chinese and pinyin search, query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from services.models import Service
from tests.services.conftest import make_organisation, make_service

pytestmark = pytest.mark.django_db
URL = "/services/"


@pytest.fixture
def catalogue(organisation, other_organisation):
    return {
        "mixer": make_service(
            title="青年联谊会",
            description="为园区单身青年搭建交友平台",
            code="volunteer",
            providers=[organisation, other_organisation],
        ),
        "guidance": make_service(
            title="党建指导",
            description="帮助企业支部规范组织生活",
            code="party_building",
            providers=[organisation],
        ),
        "incubation": make_service(
            title="创业孵化咨询",
            description="地信梦工场提供融资对接",
            code="entrepreneurship",
            providers=[other_organisation],
        ),
    }


def _titles(response) -> list[str]:
    return sorted(s.title for s in response.context["services"])


def test_the_list_is_public_and_uses_its_url_name(client, catalogue):
    assert reverse("services:service_list") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert _titles(response) == ["党建指导", "创业孵化咨询", "青年联谊会"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("联谊", ["青年联谊会"]),  # a word inside the title
        ("支部", ["党建指导"]),  # a word inside the description only
        ("地信梦工场", ["创业孵化咨询"]),
        ("  党建  ", ["党建指导"]),  # surrounding spaces ignored
        ("火星", []),
        ("dangjian", ["党建指导"]),  # full pinyin
        ("DangJian ZhiDao", ["党建指导"]),  # pinyin with spaces and capitals
        ("qnlyh", ["青年联谊会"]),  # pinyin initials
    ],
)
def test_search_finds_chinese_text_and_pinyin(client, catalogue, query, expected):
    response = client.get(URL, {"q": query})
    assert _titles(response) == expected


def test_filter_by_category_and_provider(client, catalogue, organisation, other_organisation):
    assert _titles(client.get(URL, {"category": "party_building"})) == ["党建指导"]
    assert _titles(client.get(URL, {"provider": other_organisation.pk})) == [
        "创业孵化咨询",
        "青年联谊会",
    ]
    both = client.get(URL, {"provider": organisation.pk, "category": "volunteer"})
    assert _titles(both) == ["青年联谊会"]


def test_the_provider_drop_down_offers_only_organisations_that_provide_a_service(
    client, catalogue, organisation, other_organisation
):
    idle = make_organisation(name="无服务的单位")
    catalogue["incubation"].is_active = False
    catalogue["incubation"].save()
    catalogue["mixer"].providers.remove(other_organisation)
    response = client.get(URL, {"provider": organisation.pk})
    choices = [label for _value, label in response.context["filter_form"]["provider"].field.choices]
    assert choices == ["全部单位", str(organisation)]
    page = response.content.decode()
    assert f'<option value="{organisation.pk}" selected>{organisation}</option>' in page
    assert str(idle) not in page and str(other_organisation) not in page


def test_an_unknown_filter_value_is_ignored_not_an_error(client, catalogue):
    response = client.get(URL, {"category": "nope", "provider": "abc", "q": "联谊"})
    assert response.status_code == 200
    assert _titles(response) == ["青年联谊会"]


def test_inactive_services_are_hidden_and_their_page_is_404(client, catalogue):
    catalogue["mixer"].is_active = False
    catalogue["mixer"].save()
    assert "青年联谊会" not in _titles(client.get(URL))
    assert client.get(f"/services/{catalogue['mixer'].pk}/").status_code == 404


def test_the_service_page_shows_providers_and_escapes_text(client, organisation):
    service = make_service(
        title="<script>alert(1)</script>", description="<b>粗体</b>", providers=[organisation]
    )
    response = client.get(reverse("services:service_detail", args=[service.pk]))
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert "团县委" in body


def _grow_catalogue(n: int) -> None:
    for _ in range(n):
        org = make_organisation()
        make_service(providers=[org, make_organisation()])


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_keeps_one_query_budget_whatever_the_size(client, size, django_assert_num_queries):
    _grow_catalogue(size)
    # count, services, their providers, categories and organisations for the filters.
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert len(response.context["services"]) == min(size, 20)


@pytest.mark.parametrize("size", [3, 30])
def test_a_search_keeps_the_same_budget(client, size, django_assert_num_queries):
    _grow_catalogue(size)
    Service.objects.update(description="志愿帮扶")
    # One more than the plain list: the category filter looks its code up.
    with django_assert_num_queries(6):
        response = client.get(URL, {"q": "志愿", "category": "volunteer"})
    assert len(response.context["services"]) == min(size, 20)
