"""The rotating check-in token: valid, expired, forged, for another activity."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.signing import TimestampSigner
from django.utils import timezone

from services import actions
from tests.services.conftest import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(organisation):
    return make_activity(organisation=organisation)


def test_a_fresh_token_is_valid(activity):
    actions.verify_checkin_token(token=actions.checkin_token(activity=activity), activity=activity)


def test_the_token_rotates_with_the_window(activity, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = actions.checkin_token(activity=activity)
        traveller.shift(settings.SERVICES_CHECKIN_ROTATE_SECONDS)
        second = actions.checkin_token(activity=activity)
    assert first != second


def test_a_token_is_still_valid_just_before_its_age_limit(activity, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token = actions.checkin_token(activity=activity)
        traveller.shift(settings.SERVICES_CHECKIN_MAX_AGE_SECONDS - 5)
        actions.verify_checkin_token(token=token, activity=activity)


def test_an_expired_token_is_refused(activity, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token = actions.checkin_token(activity=activity)
        traveller.shift(settings.SERVICES_CHECKIN_MAX_AGE_SECONDS + 1)
        with pytest.raises(ValidationError) as caught:
            actions.verify_checkin_token(token=token, activity=activity)
    assert caught.value.code == "expired"
    assert "过期" in caught.value.messages[0]


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: "",
        lambda t: "12.345",
        lambda t: TimestampSigner(salt="another-salt").sign(t.split(":")[0]),  # other key use
        lambda t: TimestampSigner(key="not-our-secret", salt="services.activity-checkin").sign(
            t.split(":")[0]
        ),
    ],
)
def test_a_forged_token_is_refused(activity, forge):
    token = forge(actions.checkin_token(activity=activity))
    with pytest.raises(ValidationError) as caught:
        actions.verify_checkin_token(token=token, activity=activity)
    assert caught.value.code == "forged"


def test_a_token_from_the_future_window_is_refused(activity, settings):
    signer = TimestampSigner(salt="services.activity-checkin")
    window = int(timezone.now().timestamp()) // settings.SERVICES_CHECKIN_ROTATE_SECONDS + 5
    with pytest.raises(ValidationError) as caught:
        actions.verify_checkin_token(
            token=signer.sign(f"{activity.pk}.{window}"), activity=activity
        )
    assert caught.value.code == "forged"


def test_another_activitys_token_is_refused(activity, organisation):
    other = make_activity(organisation=organisation, starts_in=timedelta(days=4))
    with pytest.raises(ValidationError) as caught:
        actions.verify_checkin_token(token=actions.checkin_token(activity=other), activity=activity)
    assert caught.value.code == "other_activity"
