"""enqueue_due_jobs: several schedulers may run at once; each job runs once per slot."""

import pytest
from django_tasks_db.models import DBTaskResult

from accueil.core.models import ScheduledRun
from accueil.core.scheduler import enqueue_due_jobs
from accueil.schedule import PERIODIC_JOBS

pytestmark = pytest.mark.django_db

# Midnight UTC, 2026-12-01: the start of both a one-minute and a one-day slot.
MIDNIGHT = 1_796_083_200.0
JOBS = [
    ("outbox-sweep", "accueil.messaging.tasks.sweep_outbox", 60),
    ("prune-task-results", "accueil.core.tasks.prune_task_results", 24 * 3600),
]


def enqueued_tasks() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_it_enqueues_each_job_once_when_two_schedulers_run_for_the_same_slot():
    first = enqueue_due_jobs(now=MIDNIGHT + 5, jobs=JOBS)
    second = enqueue_due_jobs(now=MIDNIGHT + 5, jobs=JOBS)  # the other scheduler, same tick

    assert first == ["outbox-sweep", "prune-task-results"]
    assert second == []
    assert enqueued_tasks() == [
        "accueil.core.tasks.prune_task_results",
        "accueil.messaging.tasks.sweep_outbox",
    ]
    assert ScheduledRun.objects.count() == 2


def test_it_enqueues_nothing_again_later_in_the_same_slot():
    enqueue_due_jobs(now=MIDNIGHT, jobs=JOBS)

    assert enqueue_due_jobs(now=MIDNIGHT + 59.9, jobs=JOBS) == []
    assert DBTaskResult.objects.count() == 2


def test_it_enqueues_again_in_a_later_slot():
    enqueue_due_jobs(now=MIDNIGHT, jobs=JOBS)

    assert enqueue_due_jobs(now=MIDNIGHT + 60, jobs=JOBS) == ["outbox-sweep"]
    assert enqueue_due_jobs(now=MIDNIGHT + 24 * 3600, jobs=JOBS) == [
        "outbox-sweep",
        "prune-task-results",
    ]
    assert DBTaskResult.objects.filter(task_path__endswith="sweep_outbox").count() == 3
    assert DBTaskResult.objects.filter(task_path__endswith="prune_task_results").count() == 2
    assert sorted(
        ScheduledRun.objects.filter(job="outbox-sweep").values_list("slot", flat=True)
    ) == [
        int(MIDNIGHT),
        int(MIDNIGHT) + 60,
        int(MIDNIGHT) + 24 * 3600,
    ]


def test_it_uses_the_project_schedule_by_default():
    assert enqueue_due_jobs(now=MIDNIGHT) == [name for name, _path, _interval in PERIODIC_JOBS]


def test_it_enqueues_nothing_for_an_empty_job_list():
    assert enqueue_due_jobs(now=MIDNIGHT, jobs=[]) == []
    assert not DBTaskResult.objects.exists()


def test_it_schedules_the_other_jobs_when_one_cannot_be_enqueued():
    jobs = [("broken", "accueil.core.tasks.no_such_task", 60), *JOBS]

    assert enqueue_due_jobs(now=MIDNIGHT, jobs=jobs) == ["outbox-sweep", "prune-task-results"]

    # The broken job's slot was not taken, so it is tried again on the next tick.
    assert not ScheduledRun.objects.filter(job="broken").exists()
    assert DBTaskResult.objects.count() == 2
