"""Background tasks of the surveys app. Arguments are ids only, never personal data."""

from django_tasks import task


@task()
def sweep_surveys() -> dict:
    """Every 15 minutes (accueil/schedule.py): close expired links, send due reminders
    outside quiet hours, and send links still waiting for quiet hours to end."""
    from .services_sweep import sweep

    return sweep()
