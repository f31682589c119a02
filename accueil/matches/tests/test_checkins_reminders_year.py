"""Check-in reminders across both daylight-saving changes in Toronto (2027-03-14 and
2027-11-07): a whole year of quarter hours with two sweeps each, the real scheduler path (two
schedulers, two workers) around both changes, and on PostgreSQL four sweeps in four threads at
the same instant. Every check-in's reminder is queued exactly once, at 08:00 Toronto time on
its day."""

import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accueil.core.scheduler import enqueue_due_jobs
from accueil.matches import services
from accueil.matches.models import CheckIn, MatchStatus
from accueil.matches.services_checkins import checkins_plan, reminder_key, send_checkin_reminders
from accueil.matches.tests.factories import in_state
from accueil.messaging.models import OutboxMessage
from accueil.schedule import PERIODIC_JOBS

TORONTO = ZoneInfo("America/Toronto")
JOB = [job for job in PERIODIC_JOBS if job[0] == "checkin-reminders"]
START = datetime(2027, 1, 1, tzinfo=TORONTO).astimezone(UTC)
END = datetime(2028, 1, 1, tzinfo=TORONTO).astimezone(UTC)
TICK = timedelta(minutes=15)


def _matches(coordinator):
    """Two matches whose check-ins fall on the days the clocks change."""
    out = []
    for start in (date(2027, 2, 28), date(2027, 10, 24)):
        match = in_state(MatchStatus.INTRODUCTION_SCHEDULED, coordinator)
        services.match_start(match=match, by=coordinator, on=start)
        checkins_plan(match)
        out.append(match)
    return out


def _expected():
    return list(CheckIn.objects.filter(due_on__lt=date(2028, 1, 1)).order_by("due_on"))


def _assert_each_reminded_once_at_8(checkins):
    days = [c.due_on for c in checkins]
    assert date(2027, 3, 14) in days and date(2027, 11, 7) in days
    for checkin in checkins:
        assert OutboxMessage.objects.filter(idempotency_key=reminder_key(checkin.pk)).count() == 1
        checkin.refresh_from_db()
        sent = checkin.reminder_sent_at.astimezone(TORONTO)
        assert (sent.date(), sent.hour, sent.minute) == (checkin.due_on, 8, 0), checkin.due_on


@contextmanager
def clock(now):
    """timezone.now() returns ``now`` (mock.patch is too slow for thousands of ticks)."""
    real = timezone.now
    timezone.now = lambda: now
    try:
        yield
    finally:
        timezone.now = real


# The real path, around both changes of the clocks: the scheduler every 15 minutes, twice
# (two schedulers), and each enqueued run picked up twice (two workers).
DST_WINDOWS = [
    (datetime(2027, 3, 13, tzinfo=TORONTO), datetime(2027, 3, 17, tzinfo=TORONTO)),
    (datetime(2027, 11, 6, tzinfo=TORONTO), datetime(2027, 11, 10, tzinfo=TORONTO)),
]


@pytest.mark.django_db
def test_it_reminds_once_through_the_scheduler_when_the_clocks_change(personas):
    _matches(personas.coordinator)
    checkins = list(
        CheckIn.objects.filter(due_on__in=[date(2027, 3, 14), date(2027, 11, 7)]).order_by("due_on")
    )
    # The others fall outside the windows: as if reminded already.
    CheckIn.objects.exclude(pk__in=[c.pk for c in checkins]).update(reminder_sent_at=START)
    runs = 0
    for first, last in DST_WINDOWS:
        now, end = first.astimezone(UTC), last.astimezone(UTC)
        while now < end:
            with clock(now):
                enqueue_due_jobs(now=now.timestamp(), jobs=JOB)
                enqueue_due_jobs(now=now.timestamp(), jobs=JOB)
                for result in DBTaskResult.objects.ready():
                    result.task.call()
                    result.task.call()
                    result.delete()
                    runs += 1
            now += TICK

    # One run per quarter hour, though two schedulers asked; 4 days of 96 quarters, plus
    # the hour that November's fall back repeats, less the hour that March's spring skips.
    assert runs == 2 * 4 * 96
    _assert_each_reminded_once_at_8(checkins)
    assert OutboxMessage.objects.filter(template="matches.checkin_reminder").count() == 2


@pytest.mark.slow  # about 10 seconds: 35,040 quarter hours, two sweeps each
@pytest.mark.django_db
def test_it_reminds_once_per_checkin_over_a_year_with_two_sweeps_each_quarter_hour(personas):
    _matches(personas.coordinator)
    checkins = _expected()
    now = START
    while now < END:
        first = send_checkin_reminders(now=now)
        second = send_checkin_reminders(now=now)
        assert not (first and second)
        now += TICK

    _assert_each_reminded_once_at_8(checkins)
    assert OutboxMessage.objects.filter(template="matches.checkin_reminder").count() == len(
        checkins
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL's row locks"
)
# available_apps lets the flush after this test truncate with CASCADE: auditlog's own table
# (unused, since the audit trail is core.AuditEntry) still references the content types.
@pytest.mark.django_db(transaction=True, available_apps=[c.name for c in apps.get_app_configs()])
def test_it_reminds_once_when_two_sweeps_run_in_parallel_on_postgresql(personas):
    _matches(personas.coordinator)
    moment = datetime(2028, 2, 7, 14, 0, tzinfo=UTC)  # 09:00 in Toronto: every one is due
    barrier = threading.Barrier(4)
    sent = []

    def sweep():
        try:
            barrier.wait()
            sent.append(send_checkin_reminders(now=moment))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = CheckIn.objects.filter(due_on__lte=date(2028, 2, 7)).count()
    assert total == 10
    assert sum(sent) == total
    assert OutboxMessage.objects.filter(template="matches.checkin_reminder").count() == total
