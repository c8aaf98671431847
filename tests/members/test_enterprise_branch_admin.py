"""Enterprise and branch admin lists: fixed query counts, secretary scope for branches."""

import pytest
from django.urls import reverse

from tests.factories import BranchFactory, EnterpriseFactory, MemberFactory


@pytest.mark.parametrize("count", [2, 25])
def test_enterprise_list_query_count(client, staff, count, django_assert_num_queries):
    for _ in range(count):
        EnterpriseFactory()
    client.force_login(staff)
    # Session, user, counts, one page, date-hierarchy years, session save: not per row. (One
    # fewer since the admin's app list is built only when shown: the nav sidebar's, never.)
    with django_assert_num_queries(10):
        response = client.get(reverse("admin:members_enterprise_changelist"))
    assert response.context["cl"].result_count == count


@pytest.mark.parametrize("count", [2, 25])
def test_branch_list_query_count(client, staff, count, django_assert_num_queries):
    for _ in range(count):
        branch = BranchFactory()
        MemberFactory(branch=branch)
    client.force_login(staff)
    # Enterprise and member counts are annotated on the page query, not counted per row. (One
    # fewer since the admin's app list is built only when shown: the nav sidebar's, never.)
    with django_assert_num_queries(8):
        response = client.get(reverse("admin:members_branch_changelist"))
    assert response.context["cl"].result_count == count


def test_a_secretary_sees_only_their_branch(client, secretary, branch, other_branch):
    client.force_login(secretary)
    response = client.get(reverse("admin:members_branch_changelist"))
    assert [b.name for b in response.context["cl"].result_list] == [branch.name]
    other = reverse("admin:members_branch_change", args=[other_branch.pk])
    assert client.get(other).status_code == 404
