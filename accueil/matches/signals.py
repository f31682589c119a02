"""Signals the matches app sends for other apps to act on."""

from __future__ import annotations

from django.dispatch import Signal

match_closed = Signal()
match_closed.__doc__ = """Sent once a match is closed, after the closing is committed.

Keyword arguments: ``match`` (the closed Match, with ``outcome`` set), ``by`` (who closed it)
and ``outcome`` (an ``Outcome`` value). The surveys app will connect to it to send the
post-surveys to the volunteers and the household; receivers must not raise, and should queue
their work (a task) rather than send messages inside the request.
"""
