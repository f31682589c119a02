"""Background tasks. Arguments are ids only: no personal data in the task table."""

from django_tasks import task


@task(queue_name="outbox")
def deliver_message(message_id: int) -> str | None:
    from .services import outbox_deliver

    outcome = outbox_deliver(message_id)
    return str(outcome) if outcome else None


@task(queue_name="outbox")
def sweep_outbox() -> dict:
    from .services import outbox_sweep

    return outbox_sweep()
