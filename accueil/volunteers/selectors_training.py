"""Reads about training: what each role must take, who has done what, who is behind.

Other parts call these (the group readiness gate, the volunteer home, reminders), so every
function that takes many people runs a constant number of queries, whatever their number.

Role codes are the person's account role ("volunteer", "interpreter", …) plus "group_lead"
while they lead a group (a current lead membership).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from .models import GroupMembership, QuizAttempt, TrainingCompletion, TrainingModule

GROUP_LEAD = "group_lead"


def content_language(content: dict) -> str:
    """The language a module's text will be shown in: the active one if the module has it,
    else English (the same fallback as the model), so pages can mark it with ``lang``."""
    language = (get_language() or "en").split("-")[0]
    for code in (language, "en", *content.keys()):
        if (content.get(code) or {}).get("title"):
            return code
    return language


def _today(on: date | None) -> date:
    return on or timezone.localdate()


def published_modules() -> QuerySet[TrainingModule]:
    return TrainingModule.objects.filter(is_published=True).order_by("order", "pk")


def modules_visible_to(user) -> QuerySet[TrainingModule]:
    """Published modules; people who manage training also see drafts."""
    if user.is_authenticated and user.has_perm("volunteers.manage_training"):
        return TrainingModule.objects.order_by("order", "pk")
    return published_modules()


def _requires(module: TrainingModule, role_codes: set[str]) -> bool:
    return bool(set(module.required_for or ()) & role_codes)


def required_modules(role_codes: set[str]) -> QuerySet[TrainingModule]:
    """Published modules required for any of ``role_codes``.

    ``required_for`` is a JSON list and SQLite cannot search inside JSON portably, so the
    (short) list of published modules is read once and narrowed in Python.
    """
    role_codes = set(role_codes)
    ids = [m.pk for m in published_modules().only("pk", "required_for") if _requires(m, role_codes)]
    return published_modules().filter(pk__in=ids)


def training_roles(user) -> set[str]:
    """The role codes training requirements are matched against for one person."""
    return training_roles_for([user.pk], {user.pk: user.role})[user.pk]


def training_roles_for(user_ids, roles: dict[int, str] | None = None) -> dict[int, set[str]]:
    """Role codes for many people in at most two queries. ``roles`` (id -> account role) saves
    the query on users when the caller already has them."""
    user_ids = list(user_ids)
    if roles is None:
        from django.contrib.auth import get_user_model

        roles = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "role"))
    leads = set(
        GroupMembership.objects.filter(
            user_id__in=user_ids, role=GroupMembership.Role.LEAD, left_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    result = {}
    for user_id in user_ids:
        codes = {roles[user_id]} if roles.get(user_id) else set()
        if user_id in leads:
            codes.add(GROUP_LEAD)
        result[user_id] = codes
    return result


def missing_required_training(
    user_ids: list[int], roles_by_user: dict[int, set[str]], on: date | None = None
) -> dict[int, list[TrainingModule]]:
    """For each person, the required modules they have not passed, or whose refresher date has
    gone by on ``on`` (today by default). Two queries for any number of people. People absent
    from ``roles_by_user`` have no role codes, hence nothing required."""
    on = _today(on)
    modules = list(published_modules())
    current: dict[int, set[int]] = defaultdict(set)
    if modules:
        completions = TrainingCompletion.objects.filter(
            user_id__in=list(user_ids), module__in=[m.pk for m in modules]
        ).filter(Q(refresher_due_on__isnull=True) | Q(refresher_due_on__gte=on))
        for user_id, module_id in completions.values_list("user_id", "module_id"):
            current[user_id].add(module_id)
    result = {}
    for user_id in user_ids:
        codes = set(roles_by_user.get(user_id, ()))
        result[user_id] = [
            m for m in modules if _requires(m, codes) and m.pk not in current[user_id]
        ]
    return result


def training_status(user, on: date | None = None) -> dict:
    """Where one person stands.

    ``required``: published modules their roles require; ``done``: modules passed and not due
    for a refresher; ``missing``: required modules not passed or due for a refresher;
    ``refresher_due``: modules passed once whose refresher date has gone by (a required one is
    also in ``missing``); ``complete``: nothing missing; ``completions``: module id ->
    completion.
    """
    on = _today(on)
    roles = training_roles(user)
    modules = list(published_modules())
    completions = {
        c.module_id: c
        for c in TrainingCompletion.objects.filter(
            user=user, module__in=[m.pk for m in modules]
        ).order_by("completed_at")
    }
    required = [m for m in modules if _requires(m, roles)]
    done = [m for m in modules if m.pk in completions and completions[m.pk].is_current(on)]
    due = [m for m in modules if m.pk in completions and not completions[m.pk].is_current(on)]
    missing = [m for m in required if m not in done]
    return {
        "roles": roles,
        "required": required,
        "done": done,
        "missing": missing,
        "refresher_due": due,
        "complete": not missing,
        "completions": completions,
    }


def training_unfinished_since(user, days: int = 14, now: datetime | None = None):
    """When the person first tried a quiz, if that was at least ``days`` ago and some required
    training is still missing; otherwise None. The date is the reminder's occasion: one
    reminder per first attempt."""
    now = now or timezone.now()
    first = QuizAttempt.objects.filter(user=user).aggregate(first=Min("created_at"))["first"]
    if first is None or first > now - timedelta(days=days):
        return None
    status = training_status(user, on=timezone.localdate(now))
    return first if status["missing"] else None


def unfinished_training(days: int = 14, now: datetime | None = None) -> dict[int, datetime]:
    """Everyone for whom ``training_unfinished_since`` is not None: user id -> first attempt.
    Five queries, whatever the number of people (for the reminder sweep)."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    firsts = dict(
        QuizAttempt.objects.filter(user__is_active=True)
        .values("user_id")
        .annotate(first=Min("created_at"))
        .filter(first__lte=now - timedelta(days=days))
        .values_list("user_id", "first")
    )
    if not firsts:
        return {}
    roles = dict(get_user_model().objects.filter(pk__in=list(firsts)).values_list("pk", "role"))
    codes = training_roles_for(list(firsts), roles)
    missing = missing_required_training(list(firsts), codes, on=timezone.localdate(now))
    return {user_id: first for user_id, first in firsts.items() if missing.get(user_id)}


def module_rows_for(user, on: date | None = None) -> list[dict]:
    """The training list for one person: each visible module with its status. Four queries."""
    on = _today(on)
    modules = list(modules_visible_to(user))
    roles = training_roles(user)
    completions = {
        c.module_id: c
        for c in TrainingCompletion.objects.filter(user=user).order_by("completed_at")
    }
    attempted = dict(
        QuizAttempt.objects.filter(user=user)
        .values("module_id")
        .annotate(last=Max("created_at"))
        .values_list("module_id", "last")
    )
    rows = []
    for module in modules:
        completion = completions.get(module.pk)
        if completion is not None and completion.is_current(on):
            status = "passed"
        elif completion is not None:
            status = "refresher_due"
        elif module.pk in attempted:
            status = "in_progress"
        else:
            status = "not_started"
        rows.append(
            {
                "module": module,
                "status": status,
                "completion": completion,
                "last_attempt": attempted.get(module.pk),
                "required": module.is_published and _requires(module, roles),
                "lang": content_language(module.content),
            }
        )
    return rows


def training_overview(on: date | None = None) -> list[dict]:
    """Per module: people who passed (and are not due a refresher), people due a refresher,
    and people who tried the quiz but have never passed. Three queries."""
    on = _today(on)
    modules = list(TrainingModule.objects.order_by("order", "pk"))
    current = Q(refresher_due_on__isnull=True) | Q(refresher_due_on__gte=on)
    completed = {
        row["module_id"]: row
        for row in TrainingCompletion.objects.values("module_id")
        .annotate(
            passed=Count("user_id", filter=current, distinct=True),
            due=Count("user_id", filter=~current, distinct=True),
        )
        .order_by()
    }
    in_progress = dict(
        QuizAttempt.objects.filter(
            ~Exists(
                TrainingCompletion.objects.filter(
                    user_id=OuterRef("user_id"), module_id=OuterRef("module_id")
                )
            )
        )
        .values("module_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
        .values_list("module_id", "n")
    )
    return [
        {
            "module": module,
            "passed": completed.get(module.pk, {}).get("passed", 0),
            "refresher_due": completed.get(module.pk, {}).get("due", 0),
            "in_progress": in_progress.get(module.pk, 0),
        }
        for module in modules
    ]
