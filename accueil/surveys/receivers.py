"""The automatic schedule: pre-surveys when a household joins the waitlist or a volunteer is
approved, post-surveys for both sides when their match closes. The signals arrive after the
change is committed; a failure here is logged and never undoes or blocks that change (staff can
still start the survey from the respondent's page)."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from accueil.matches.signals import match_closed
from accueil.newcomers.signals import household_waitlisted
from accueil.volunteers.signals import volunteer_approved

from .models import Phase
from .services import administration_schedule, administration_send

log = logging.getLogger(__name__)


def _schedule_and_send(**kwargs) -> None:
    try:
        administration = administration_schedule(**kwargs)
        if administration is not None and administration.sent_at is None:
            administration_send(administration)
    except Exception:
        log.exception("survey scheduling failed", extra={"phase": kwargs.get("phase")})


@receiver(household_waitlisted, dispatch_uid="surveys-household-pre")
def household_pre(sender, household, by=None, **kwargs) -> None:
    _schedule_and_send(program=household.program, phase=Phase.PRE, household=household, by=by)


@receiver(volunteer_approved, dispatch_uid="surveys-volunteer-pre")
def volunteer_pre(sender, volunteer, by=None, **kwargs) -> None:
    _schedule_and_send(program=volunteer.program, phase=Phase.PRE, person=volunteer.user, by=by)


@receiver(match_closed, dispatch_uid="surveys-match-post")
def match_post(sender, match, by=None, **kwargs) -> None:
    """The household and every volunteer still in the group when it closed."""
    from accueil.matches.services_activity import current_members

    _schedule_and_send(
        program=match.program, phase=Phase.POST, household=match.household, match=match, by=by
    )
    for member in current_members(match):
        if getattr(member, "role", None) == "volunteer":
            _schedule_and_send(
                program=match.program, phase=Phase.POST, person=member, match=match, by=by
            )
