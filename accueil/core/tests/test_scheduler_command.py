"""manage.py scheduler --once."""

import signal
import time

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from accueil.core.models import ScheduledRun
from accueil.schedule import PERIODIC_JOBS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _restore_signal_handlers():
    # The command installs SIGTERM/SIGINT handlers; put pytest's back afterwards.
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def test_it_enqueues_every_due_job_once_and_exits():
    # Both runs must fall in the same minute: close to its end, wait for the next one.
    left = 60 - time.time() % 60
    if left < 2:
        time.sleep(left + 0.05)
    call_command("scheduler", "--once")
    call_command("scheduler", "--once")  # a second scheduler in the same minute

    assert ScheduledRun.objects.count() == len(PERIODIC_JOBS)
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(
        path for _name, path, _interval in PERIODIC_JOBS
    )
