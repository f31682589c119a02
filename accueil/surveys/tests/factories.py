"""Survey administrations built through the services, with their link's token at hand."""

from __future__ import annotations

from dataclasses import dataclass

from accueil.factories import ProgramFactory, RegionFactory
from accueil.matching.tests.factories import waiting_household
from accueil.surveys.models import Administration, Phase
from accueil.surveys.services import administration_schedule, administration_send


@dataclass
class Sent:
    administration: Administration
    token: str

    @property
    def url(self) -> str:
        return f"/s/{self.token}/"


def household_survey(
    coordinator=None,
    *,
    program=None,
    household=None,
    phase: str = Phase.PRE,
    languages=("ar",),
    instruments: list[str] | None = None,
    match=None,
) -> Sent:
    """A household's survey with its link sent (by text message)."""
    if household is None:
        program = program or ProgramFactory(name="Welcome Groups for refugee claimants")
        household = waiting_household(
            program, RegionFactory(name="Toronto"), head_name="Amina Haddad"
        )
        household.languages = list(languages)
        household.save(update_fields=["languages"])
    if coordinator is not None:
        coordinator.programs.add(household.program)
    administration = administration_schedule(
        program=household.program,
        phase=phase,
        household=household,
        match=match,
        instruments=instruments,
        automatic=instruments is None,
    )
    administration_send(administration)
    administration.refresh_from_db()
    return Sent(administration, administration.token)


def volunteer_survey(person, *, program, phase: str = Phase.PRE, match=None) -> Sent:
    administration = administration_schedule(
        program=program, phase=phase, person=person, match=match
    )
    administration_send(administration)
    administration.refresh_from_db()
    return Sent(administration, administration.token)
