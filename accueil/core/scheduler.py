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
    for name, task_path, interval in PERIODIC_JOBS if jobs is None else jobs:
        slot = int(now // interval) * interval
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        ScheduledRun.objects.create(job=name, slot=slot)
                except IntegrityError:
                    continue  # another scheduler took this slot
                import_string(task_path).enqueue()
        except Exception:
            # The slot's row is rolled back with the failed enqueue, so the next tick tries
            # again; one broken job must not stop the others from being scheduled.
            logger.exception("scheduling failed", extra={"job": name, "slot": slot})
            continue
        enqueued.append(name)
        logger.info("scheduled", extra={"job": name, "slot": slot})
    return enqueued
