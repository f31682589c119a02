"""Signals the volunteers app sends for other apps to act on."""

from django.dispatch import Signal

volunteer_approved = Signal()
volunteer_approved.__doc__ = """Sent when a volunteer is approved, once the approval is
committed. Keyword arguments: ``volunteer`` and ``by``. The surveys app schedules the
volunteer's pre-survey from it."""
