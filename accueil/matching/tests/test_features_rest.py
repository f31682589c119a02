"""A group rests after a match closes before it is proposed again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accueil.matches.models import MatchStatus, ProgramMatchSettings
from accueil.matches.tests.factories import in_state
from accueil.matching import selectors
from accueil.matching.tests.factories import make_world, waiting_household

pytestmark = pytest.mark.django_db


def test_a_group_rests_after_its_match_closes_then_comes_back(personas):
    world = make_world(coordinator=personas.coordinator)
    match = in_state(MatchStatus.CLOSED, personas.coordinator, world=world)
    assert match.group == world.alpha
    newcomer = waiting_household(world.program, world.region, days=5)

    ranking = selectors.ranked_groups(newcomer)
    resting = next(c for c in ranking.excluded if c.pk == world.alpha.pk)
    assert any("resting after its last match until" in r["text"] for r in resting.reasons)

    # Once the rest period is over, the group is proposed again.
    match.closed_at = timezone.now() - timedelta(days=31)
    match.save(update_fields=["closed_at"])
    assert ProgramMatchSettings.for_program(world.program).group_rest_days == 30
    ranking = selectors.ranked_groups(newcomer)
    assert world.alpha.pk in [c.pk for c in ranking.candidates]
