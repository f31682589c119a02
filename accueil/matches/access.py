"""How a request reaches a match. Staff of the match's program reach it through
``get_match_for_staff_or_404``; members of the matched group (volunteers and interpreters with a
current membership) through ``get_match_for_member_or_404``. Anyone else gets 404, the same
answer as for a match that does not exist."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Match


def get_match_for_staff_or_404(user, pk: int) -> Match:
    if not user.is_authenticated or not user.has_perm("matches.propose"):
        raise Http404
    matches = Match.objects.visible_to(user).select_related(
        "program", "household", "household__region", "group", "coordinator"
    )
    return get_object_or_404(matches, pk=pk)


def matches_of_member(user):
    """Matches of the groups ``user`` currently belongs to."""
    if not user.is_authenticated or user.role not in ("volunteer", "interpreter"):
        return Match.objects.none()
    return Match.objects.filter(
        group__memberships__user=user, group__memberships__left_at__isnull=True
    ).distinct()


def get_match_for_member_or_404(user, pk: int) -> Match:
    matches = matches_of_member(user).select_related("program", "group", "household")
    return get_object_or_404(matches, pk=pk)
