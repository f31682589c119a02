import logging
import time

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from accueil.schedule import PERIODIC_JOBS

from .models import ScheduledRun

logger = logging.getLogger(__name__)


def enqueue_due_jobs(*, now: float | None = None, jobs=None) -> list[str]:
    """Enqueue each job whose current slot has not been enqueued by any scheduler yet."""
    now = time.time() if now is None else now
    enqueued = []
    for name, task_path, interval in jobs or PERIODIC_JOBS:
        slot = int(now // interval) * interval
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=name, slot=slot)
                import_string(task_path).enqueue()
        except IntegrityError:
            continue  # another scheduler took this slot
        enqueued.append(name)
        logger.info("scheduled", extra={"job": name, "slot": slot})
    return enqueued
