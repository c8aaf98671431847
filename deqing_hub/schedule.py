"""Every periodic task of the portal, in one place.

django-celery-beat's DatabaseScheduler copies these entries into the database at start-up,
where staff can see (and pause) them in the admin. Only one beat process may run.
Times are Asia/Shanghai. Each task is idempotent: a repeated run redoes nothing already recorded.
(A worker killed mid-send is another matter: notices are sent at least once, see the README.)
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # Apps add their entries here, with a plain-words comment each.
    # Every minute: issue the duty reminders that fell due (once each per week and kind: the
    # rota's Reminder rows are the schedule); the notices outbox below sends them.
    "rota-issue-due-reminders": {"task": "rota.issue_due_reminders", "schedule": crontab()},
    # Every minute: queue notices whose message may be lost, retries that fell due and rows
    # whose worker died (the outbox rows are the truth; a repeated run queues nothing twice).
    "notices-scan-deliveries": {"task": "notices.scan_deliveries", "schedule": crontab()},
    # Every morning at 08:30, e-mail centre staff the micro-wishes waiting for verification.
    "wishes-staff-digest": {
        "task": "wishes.tasks.send_staff_digest",
        "schedule": crontab(hour=8, minute=30),
    },
    # Hourly at :35 from 09:35 to 20:35, tell the contacts of organisations whose wish claim is
    # past its promised date (once per claim and promised date; nothing at night).
    "wishes-tell-overdue-claims": {
        "task": "wishes.tell_overdue_claims",
        "schedule": crontab(hour="9-20", minute=35),
    },
    # Every night at 02:10, confirm fulfilled wishes whose wishers stayed silent too long.
    "wishes-auto-confirm": {
        "task": "wishes.tasks.auto_confirm_fulfilled_wishes",
        "schedule": crontab(hour=2, minute=10),
    },
    # Every hour at :05, flag service requests nobody answered in time and tell staff (once each).
    "services-flag-overdue-requests": {
        "task": "services.tasks.flag_overdue_requests",
        "schedule": crontab(minute=5),
    },
    # Hourly at :20 from 08:20 to 20:20, remind people with a place at tomorrow's activities
    # (once per sign-up: the later runs catch late sign-ups and a missed morning run; no
    # reminder arrives at night).
    "services-remind-tomorrows-activities": {
        "task": "services.remind_tomorrows_activities",
        "schedule": crontab(hour="8-20", minute=20),
    },
    # Every hour at :15, expire uncollected points vouchers past their date and refund them.
    "points-expire-vouchers": {
        "task": "points.expire_vouchers",
        "schedule": crontab(minute=15),
    },
    # Hourly at :25 from 09:25 to 20:25, tell holders of uncollected vouchers that expire within
    # three days (once per voucher; no message at night, a missed run is caught up next hour).
    "points-remind-expiring-vouchers": {
        "task": "points.remind_expiring_vouchers",
        "schedule": crontab(hour="9-20", minute=25),
    },
    # Every night at 03:30, check that points balances and stock match their histories.
    "points-reconcile": {
        "task": "points.reconcile",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every 10 minutes: re-sum this month's (and an unclosed last month's) earned points per
    # member, so the ranking pages never add up the ledger themselves.
    "ranking-refresh-totals": {
        "task": "deqing_hub.refresh_ranking_totals",
        "schedule": crontab(minute="*/10"),
    },
    # Every night at 04:10, remove audit records older than AUDIT_RETENTION_DAYS (at least 183).
    "members-purge-audit": {
        "task": "members.purge_audit",
        "schedule": crontab(hour=4, minute=10),
    },
    # Every night at 04:20, remove sheet imports nobody finished (and the files they hold).
    "members-purge-sheet-jobs": {
        "task": "members.purge_sheet_jobs",
        "schedule": crontab(hour=4, minute=20),
    },
    # On the 1st of each month at 00:30, close and publish last month's ranking (once).
    "ranking-close-month": {
        "task": "deqing_hub.close_previous_month",
        "schedule": crontab(day_of_month=1, hour=0, minute=30),
    },
}
