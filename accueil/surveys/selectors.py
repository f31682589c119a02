"""Reads for the staff survey pages: the list, one administration with its answers and scores,
the entry form's questions, the panels on household, volunteer and match pages.

Every administration a request reaches comes through ``get_administration_for_staff_or_404``
(staff of its program) or ``get_administration_for_entry_or_404`` (those, or the interpreter
named on it): anyone else gets 404, as for an administration that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language, get_language_info

from accueil.accounts.models import Program, Role, User

from .definitions import NEWCOMER_LANGUAGES, pick
from .models import (
    OPEN_STATUSES,
    Administration,
    AdminStatus,
    Answer,
    Audience,
    Instrument,
    Response,
)
from .scoring import format_score
from .services import can_enter

# The list's status filter: "open" gathers the three states a survey can still be answered in.
STATUS_FILTERS = {
    "open": OPEN_STATUSES,
    "completed": (AdminStatus.SUBMITTED,),
    "expired": (AdminStatus.EXPIRED,),
    "cancelled": (AdminStatus.CANCELLED,),
}


# -- access ---------------------------------------------------------------------------------


def get_administration_for_staff_or_404(user, pk: int) -> Administration:
    if not user.is_authenticated or not user.has_perm("surveys.administer"):
        raise Http404
    rows = Administration.objects.visible_to(user).select_related(
        "program", "household", "person", "person__volunteer", "match", "match__group"
    )
    rows = rows.select_related("interviewer", "interpreter")
    return get_object_or_404(rows, pk=pk)


def get_administration_for_entry_or_404(user, pk: int) -> Administration:
    """Staff of the program, or the interpreter named on this administration (``can_enter``)."""
    if not user.is_authenticated:
        raise Http404
    administration = get_object_or_404(
        Administration.objects.select_related("program", "household", "person", "interpreter"),
        pk=pk,
    )
    if not can_enter(user, administration):
        raise Http404
    return administration


def programs_for(user):
    """Programs whose surveys ``user`` may list, start or import into."""
    if not user.is_authenticated or not user.has_perm("surveys.administer"):
        return Program.objects.none()
    if user.role in (Role.ADMIN, Role.PROGRAM_MANAGER):
        return Program.objects.all()
    return user.programs.all()


# -- the list -------------------------------------------------------------------------------


def staff_administrations(
    user, *, status: str = "", phase: str = "", program=None, audience: str = ""
):
    """The administrations ``user`` may see, filtered, newest first, with everything a row shows
    fetched in a fixed number of queries (the responses and their instruments prefetched, each
    instrument once, without its definition)."""
    rows = Administration.objects.visible_to(user)
    if status in STATUS_FILTERS:
        rows = rows.filter(status__in=STATUS_FILTERS[status])
    if phase:
        rows = rows.filter(phase=phase)
    if program is not None:
        rows = rows.filter(program=program)
    if audience == Audience.HOUSEHOLD:
        rows = rows.filter(household__isnull=False)
    elif audience == Audience.VOLUNTEER:
        rows = rows.filter(person__isnull=False)
    return (
        rows.select_related("person", "person__volunteer")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.only(
                    "pk", "administration_id", "instrument_id", "position"
                ),
            ),
            Prefetch(
                "responses__instrument",
                queryset=Instrument.objects.only("pk", "slug", "title"),
            ),
        )
        .order_by("-created_at", "-pk")
    )


def instrument_titles(administration: Administration, language: str) -> list[str]:
    """The instruments' titles from the prefetched responses (``title`` is a small JSON dict,
    so the full definition is never parsed for a list)."""
    return [pick(r.instrument.title, language) for r in administration.responses.all()]


# -- one administration ---------------------------------------------------------------------


@dataclass
class AnswerRow:
    number: int
    text: str
    answer: str  # the label, the typed text or the number; "" when not answered
    value: int | None = None  # a choice's value, shown beside its label


@dataclass
class ScoreRow:
    label: str
    score: str  # format_score, "" when not scored


@dataclass
class ResponseView:
    response: Response
    title: str
    scores: list[ScoreRow] = field(default_factory=list)
    total: str | None = None  # None: the instrument has no total; "": not scored
    answers: list[AnswerRow] = field(default_factory=list)


def _answer_text(spec, item, value, text: str, language: str) -> str:
    if item.kind == "text":
        return text
    if value is None:
        return ""
    if item.kind == "integer":
        return str(value)
    try:
        return spec.scale_of(item).label(value, language)
    except KeyError:  # an answer from an older scale: show the number rather than nothing
        return str(value)


def response_views(administration: Administration, language: str) -> list[ResponseView]:
    """Each instrument of the administration with, once scored, its subscales and total, and
    every item with its answer, worded in ``language`` (English where a text lacks it)."""
    responses = list(administration.responses.select_related("instrument").order_by("position"))
    answers: dict[int, dict[int, Answer]] = {r.pk: {} for r in responses}
    for answer in Answer.objects.filter(response__in=responses):
        answers[answer.response_id][answer.item] = answer
    views = []
    for response in responses:
        spec = response.instrument.spec
        view = ResponseView(response=response, title=spec.title_for(language))
        if response.scores is not None:
            subscales = response.scores.get("subscales") or {}
            view.scores = [
                ScoreRow(s.label_for(language), format_score(subscales.get(s.key)))
                for s in spec.subscales
            ]
            if spec.total is not None:
                view.total = format_score(response.scores.get("total"))
        for item in spec.items:
            found = answers[response.pk].get(item.number)
            value = found.value if found is not None else None
            view.answers.append(
                AnswerRow(
                    number=item.number,
                    text=item.text_for(language),
                    answer=_answer_text(
                        spec, item, value, found.text if found is not None else "", language
                    ),
                    value=value if item.kind == "choice" else None,
                )
            )
        views.append(view)
    return views


def respondent_label(administration: Administration) -> str:
    from django.utils.translation import gettext

    if administration.household_id:
        return gettext("household #%(ref)s") % {"ref": administration.household_id}
    return administration.person.display_name


# -- the entry form -------------------------------------------------------------------------


def language_direction(code: str) -> str:
    try:
        return "rtl" if get_language_info(code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


def entry_languages(responses) -> list[str]:
    """The languages any of the responses' instruments is written in, in the order respondents'
    languages are offered (an instrument lacking one shows its English)."""
    found: set[str] = set()
    for response in responses:
        found.update(response.instrument.spec.languages)
    ordered = [code for code in NEWCOMER_LANGUAGES if code in found]
    return ordered + sorted(found - set(ordered))


def staff_language() -> str:
    return (get_language() or "en").split("-")[0]


def program_interpreters(program) -> list[User]:
    """Active interpreters attached to the program, by name."""
    return list(
        User.objects.filter(role=Role.INTERPRETER, is_active=True, programs=program).order_by(
            "full_name", "pk"
        )
    )


# -- panels on other pages ------------------------------------------------------------------


def administrations_of_match(user, match) -> list[Administration]:
    return list(
        Administration.objects.visible_to(user)
        .filter(match=match)
        .select_related("household", "person")
        .order_by("phase", "created_at")
    )
