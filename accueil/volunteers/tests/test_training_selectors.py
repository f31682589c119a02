from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accueil.accounts.models import Role
from accueil.factories import UserFactory
from accueil.volunteers.models import QuizAttempt
from accueil.volunteers.selectors_training import (
    missing_required_training,
    required_modules,
    training_overview,
    training_roles,
    training_roles_for,
    training_status,
    training_unfinished_since,
    unfinished_training,
)

from .training_factories import make_lead, make_module, pass_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def modules():
    """Like the shipped set: most modules for volunteers and leads, one for interpreters too,
    one only for leads, one optional, one unpublished."""
    return {
        "journeys": make_module("journeys", required_for=["volunteer", "group_lead"]),
        "interpreting": make_module(
            "interpreting", required_for=["volunteer", "group_lead", "interpreter"]
        ),
        "leading": make_module("leading", required_for=["group_lead"]),
        "optional": make_module("optional", required_for=[]),
        "draft": make_module("draft", required_for=["volunteer"], is_published=False),
    }


def _slugs(modules):
    return [m.slug for m in modules]


def test_it_lists_required_modules_per_role(modules):
    assert _slugs(required_modules({"volunteer"})) == ["journeys", "interpreting"]
    assert _slugs(required_modules({"interpreter"})) == ["interpreting"]
    assert _slugs(required_modules({"volunteer", "group_lead"})) == [
        "journeys",
        "interpreting",
        "leading",
    ]
    assert _slugs(required_modules(set())) == []
    assert _slugs(required_modules({"coordinator"})) == []


def test_it_counts_a_current_lead_as_a_group_lead(personas, modules):
    assert training_roles(personas.volunteer) == {"volunteer"}
    membership = make_lead(personas.volunteer)
    assert training_roles(personas.volunteer) == {"volunteer", "group_lead"}
    status = training_status(personas.volunteer)
    assert _slugs(status["required"]) == ["journeys", "interpreting", "leading"]
    # A lead who left the group is no longer one.
    membership.left_at = timezone.now()
    membership.save()
    assert training_roles(personas.volunteer) == {"volunteer"}


def test_it_requires_only_the_interpreting_module_of_interpreters(personas, modules):
    status = training_status(personas.interpreter)
    assert _slugs(status["required"]) == ["interpreting"]
    make_lead(personas.interpreter)
    assert "leading" in _slugs(training_status(personas.interpreter)["required"])


def test_it_reports_done_missing_and_refresher_due(personas, modules):
    user = personas.volunteer
    pass_module(user, modules["journeys"])
    pass_module(
        user,
        modules["interpreting"],
        days_ago=800,
        due_on=timezone.localdate() - timedelta(days=1),
    )
    pass_module(user, modules["optional"])
    status = training_status(user)
    assert _slugs(status["done"]) == ["journeys", "optional"]
    assert _slugs(status["missing"]) == ["interpreting"]
    assert _slugs(status["refresher_due"]) == ["interpreting"]
    assert status["complete"] is False
    # The day before the refresher date, the module still counts.
    yesterday = timezone.localdate() - timedelta(days=1)
    assert training_status(user, on=yesterday)["complete"] is True


def test_it_ignores_unpublished_modules_when_counting_what_is_missing(personas, modules):
    pass_module(personas.volunteer, modules["journeys"])
    pass_module(personas.volunteer, modules["interpreting"])
    assert training_status(personas.volunteer)["complete"] is True


def test_it_finds_missing_training_for_many_people_in_constant_queries(modules):
    def run(n):
        users = UserFactory.create_batch(n, role=Role.VOLUNTEER)
        for user in users[::2]:
            pass_module(user, modules["journeys"])
        roles = {u.pk: {"volunteer"} for u in users}
        roles[users[0].pk].add("group_lead")
        with CaptureQueriesContext(connection) as queries:
            result = missing_required_training([u.pk for u in users], roles)
        return users, result, len(queries)

    _, _, few_queries = run(2)
    many_users, many, many_queries = run(30)
    assert few_queries == many_queries == 2
    assert _slugs(many[many_users[0].pk]) == ["interpreting", "leading"]
    assert _slugs(many[many_users[1].pk]) == ["journeys", "interpreting"]
    assert set(many) == {u.pk for u in many_users}


def test_it_counts_an_expired_refresher_as_missing_on_the_day_after(personas, modules):
    due = timezone.localdate() + timedelta(days=10)
    pass_module(personas.volunteer, modules["journeys"], due_on=due)
    pass_module(personas.volunteer, modules["interpreting"])
    roles = {personas.volunteer.pk: {"volunteer"}}
    assert missing_required_training([personas.volunteer.pk], roles, on=due) == {
        personas.volunteer.pk: []
    }
    after = missing_required_training([personas.volunteer.pk], roles, on=due + timedelta(days=1))
    assert _slugs(after[personas.volunteer.pk]) == ["journeys"]


def test_it_computes_role_codes_for_many_people_in_two_queries(personas, modules):
    make_lead(personas.volunteer)
    with CaptureQueriesContext(connection) as queries:
        roles = training_roles_for([personas.volunteer.pk, personas.interpreter.pk])
    assert len(queries) == 2
    assert roles == {
        personas.volunteer.pk: {"volunteer", "group_lead"},
        personas.interpreter.pk: {"interpreter"},
    }


def _attempt(user, module, days_ago):
    return QuizAttempt.objects.create(
        user=user,
        module=module,
        score=50,
        passed=False,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def test_it_finds_people_who_started_training_but_have_not_finished_after_14_days(
    personas, modules
):
    first = _attempt(personas.volunteer, modules["journeys"], days_ago=15)
    _attempt(personas.volunteer, modules["journeys"], days_ago=3)
    assert training_unfinished_since(personas.volunteer) == first.created_at
    assert unfinished_training() == {personas.volunteer.pk: first.created_at}
    # Started only 10 days ago: not yet.
    _attempt(personas.interpreter, modules["interpreting"], days_ago=10)
    assert training_unfinished_since(personas.interpreter) is None
    # Never started: no reminder either.
    assert training_unfinished_since(personas.outsider) is None
    # Everything required passed: nothing to remind.
    pass_module(personas.volunteer, modules["journeys"])
    pass_module(personas.volunteer, modules["interpreting"])
    assert training_unfinished_since(personas.volunteer) is None
    assert unfinished_training() == {}


def test_it_summarises_completion_per_module(personas, modules):
    pass_module(personas.volunteer, modules["journeys"])
    pass_module(
        personas.interpreter,
        modules["journeys"],
        due_on=timezone.localdate() - timedelta(days=1),
    )
    _attempt(personas.outsider, modules["journeys"], days_ago=1)
    _attempt(personas.outsider, modules["journeys"], days_ago=2)
    _attempt(personas.volunteer, modules["journeys"], days_ago=2)  # passed later: not counted
    rows = {row["module"].slug: row for row in training_overview()}
    assert (
        rows["journeys"]["passed"],
        rows["journeys"]["refresher_due"],
        rows["journeys"]["in_progress"],
    ) == (1, 1, 1)
    assert rows["leading"]["passed"] == rows["leading"]["in_progress"] == 0
