"""Background tasks for meetings. Arguments are ids only, never personal data."""

from django_tasks import task


@task()
def send_meeting_reminders() -> dict:
    """Every 15 minutes (accueil/schedule.py): text each family the day before its meeting,
    once per start time, outside quiet hours."""
    from .services_meetings import send_meeting_reminders as sweep

    return sweep()
