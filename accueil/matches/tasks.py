"""Background tasks of the matches app. Arguments are ids only, never personal data."""

from django_tasks import task


@task()
def send_checkin_reminders() -> dict:
    """Every 15 minutes (accueil/schedule.py): remind coordinators of the check-ins that fell
    due, once each, outside quiet hours."""
    from .services_checkins import send_checkin_reminders as sweep

    return {"checkin_reminders": sweep()}
