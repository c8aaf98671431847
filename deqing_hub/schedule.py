"""Every periodic task of the portal, in one place.

django-celery-beat's DatabaseScheduler copies these entries into the database at start-up,
where staff can see (and pause) them in the admin. Only one beat process may run.
Times are Asia/Shanghai. Each task is idempotent: a run that repeats sends or changes nothing twice.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # Apps add their entries here, with a plain-words comment each.
}
