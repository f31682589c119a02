"""Background tasks of the surveys app. Arguments are ids only, never personal data."""

from django_tasks import task


@task()
def sweep_surveys() -> dict:
    """Every 15 minutes (accueil/schedule.py): close expired links and send the reminders
    that are due, outside quiet hours."""
    from .services_sweep import sweep

    return sweep()
