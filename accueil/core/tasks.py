from datetime import timedelta

from django.utils import timezone
from django_tasks import task


@task()
def prune_task_results() -> int:
    """Delete finished task rows older than a week so the queue table stays small."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=7)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
