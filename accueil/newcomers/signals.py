"""Signals the newcomers app sends for other apps to act on."""

from django.dispatch import Signal

household_waitlisted = Signal()
household_waitlisted.__doc__ = """Sent when a household joins the waitlist after its onboarding,
once the change is committed. Keyword arguments: ``household`` and ``by``. The surveys app
schedules the household's pre-survey from it."""
