"""The periodic tasks are scheduled under the names the worker registers."""

from deqing_hub.schedule import BEAT_SCHEDULE
from points import tasks


def test_the_schedule_names_the_points_tasks():
    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert tasks.expire_vouchers.name in scheduled
    assert tasks.reconcile_nightly.name in scheduled
