"""Background tasks of the volunteers app. Arguments are ids only, never personal data."""

from django_tasks import task


@task()
def send_screening_reminders() -> dict:
    """Hourly (accueil/schedule.py): reference reminders, police-check expiry warnings,
    unfinished-training reminders; each sent once per occasion."""
    from .services.reminders import reminders_send_due

    return reminders_send_due()
