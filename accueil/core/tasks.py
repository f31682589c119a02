from datetime import timedelta

from django.utils import timezone
from django_tasks import task


@task()
def prune_task_results() -> int:
    """Delete finished task rows and scheduler slots older than a week: both tables only grow."""
    from django_tasks_db.models import DBTaskResult

    from .models import ScheduledRun

    cutoff = timezone.now() - timedelta(days=7)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    slots, _ = ScheduledRun.objects.filter(enqueued_at__lt=cutoff).delete()
    return deleted + slots
