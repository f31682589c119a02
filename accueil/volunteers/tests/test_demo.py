from collections import Counter

import pytest
from django.core.management import call_command

from accueil.volunteers.models import Volunteer, WelcomeGroup
from accueil.volunteers.readiness import readiness_for_groups

pytestmark = pytest.mark.django_db


def test_it_seeds_volunteers_at_every_stage_and_eight_ready_groups(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo")
    stages = Counter(Volunteer.objects.values_list("status", flat=True))
    assert sum(stages.values()) == 60
    assert set(stages) == {
        "applied",
        "in_screening",
        "approved",
        "active",
        "on_hold",
        "declined",
        "withdrawn",
    }
    readiness = readiness_for_groups(WelcomeGroup.objects.all())
    assert len(readiness) == 12
    assert sum(r.ready for r in readiness.values()) == 8
    # Each group that is not ready shows a different reason.
    reasons = {r.reasons[0].code for r in readiness.values() if not r.ready}
    assert reasons >= {"members", "lead", "check_expired"}
    call_command("seed_demo")
    assert Volunteer.objects.count() == 60 and WelcomeGroup.objects.count() == 12
