"""Service and activity cards say how to ask for the service (点单) or sign up (报名)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import Activity
from tests.services.conftest import make_activity

pytestmark = pytest.mark.django_db


def test_each_service_card_links_to_its_request_form(client, service):
    page = client.get(reverse("services:service_list")).content.decode()
    assert reverse("services:request_new", args=[service.pk]) in page
    assert "我要点单" in page


def test_an_open_activity_card_offers_sign_up_with_its_deadline(client, organisation):
    activity = make_activity(organisation=organisation)
    page = client.get(reverse("services:activity_list")).content.decode()
    assert reverse("services:activity_detail", args=[activity.pk]) + "#sign-up" in page
    assert "报名截止" in page


def test_a_closed_activity_card_says_sign_up_has_closed(client, organisation):
    activity = make_activity(organisation=organisation)
    Activity.objects.filter(pk=activity.pk).update(
        signup_deadline=timezone.now() - timedelta(minutes=1)
    )
    page = client.get(reverse("services:activity_list")).content.decode()
    assert "#sign-up" not in page
    assert "报名已截止" in page
