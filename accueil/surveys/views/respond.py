"""The respondent's pages: ``/s/<token>/``, one question per screen, no sign-in.

The token in the address is the only key (256 random bits, see ``Administration.new_token``),
and it only ever opens its own administration: every page resolves the administration from
the token, and a form carries nothing but the question's place in the walk, which is checked.
A link that does not open anything, for whatever reason (unknown, used, expired, cancelled,
misshapen), gets the same plain 404 page that tells nothing about any survey.

The walk is every item of every response of the administration, in the responses' order; the
pages speak the administration's language with the words of ``interface.yaml`` (gettext has no
catalogue for Farsi, Dari or Tigrinya). Everything works without JavaScript; ``respond.js``
only adds the read-aloud button and moves focus to an error.

Each answer is saved as it is given (post, redirect, get), so a respondent on a slow or
interrupted connection can close the page and resume with the same link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_GET, require_http_methods

from accueil.core.i18n import NEWCOMER_LANGUAGES

from .. import interface
from ..definitions import Instrument as Spec
from ..definitions import Item, Scale, pick
from ..forms_respond import TEXT_MAX, AnswerForm
from ..models import Administration, AdminStatus, Answer, Audience, Mode, Response, hash_token
from ..services import administration_for_token, administration_submit, answer_record

# secrets.token_urlsafe(32) gives 43 characters of this alphabet; anything else is not a link
# we sent, and is refused before the database is asked.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")


# No Referer to any other site, so the address never reaches another site's logs. Not
# "no-referrer": under it browsers send "Origin: null" with a form's POST, and Django's CSRF
# check (rightly) refuses that, so no answer could be saved.
REFERRER_POLICY = "same-origin"

# How long after sending a second tap on "Send my answers" still gets the thank-you page.
JUST_SENT = timedelta(minutes=10)


def _private(view):
    """Keep every respondent page out of caches, search engines and other sites' logs: the
    address is the key to someone's answers."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = REFERRER_POLICY
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _open(token: str) -> Administration | None:
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return administration_for_token(token)


# -- the walk -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    index: int  # 1-based, across every instrument of the administration
    response: Response
    spec: Spec
    item: Item
    first_of_instrument: bool

    @property
    def scale(self) -> Scale | None:
        return self.spec.scale_of(self.item) if self.item.kind == "choice" else None


@dataclass(frozen=True)
class Walk:
    steps: list[Step]
    answers: dict[tuple[int, int], Answer]  # (response pk, item number)

    @property
    def total(self) -> int:
        return len(self.steps)

    def answer(self, step: Step) -> Answer | None:
        return self.answers.get((step.response.pk, step.item.number))

    def resume_at(self) -> int | None:
        """The first question never reached (a skipped one was reached), or None."""
        for step in self.steps:
            if self.answer(step) is None:
                return step.index
        return None

    def answered(self) -> int:
        count = 0
        for step in self.steps:
            answer = self.answer(step)
            if answer is not None and (answer.value is not None or answer.text):
                count += 1
        return count

    def first_required_missing(self) -> Step | None:
        """A question that must be answered and is not (reached by typing the review's address
        before answering it)."""
        for step in self.steps:
            answer = self.answer(step)
            if step.item.required and (
                answer is None or (answer.value is None and not answer.text)
            ):
                return step
        return None

    def step(self, raw) -> Step | None:
        """The step at a 1-based index as it came in a query string or a form, or None."""
        # isascii: "²" is a digit to isdigit() but not to int().
        if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()) or len(raw) > 5:
            return None
        index = int(raw)
        return self.steps[index - 1] if 1 <= index <= len(self.steps) else None


def _walk(administration: Administration) -> Walk:
    """Two queries (three with the token's), whatever the number of instruments and answers."""
    responses = administration.responses.select_related("instrument").order_by("position", "pk")
    steps: list[Step] = []
    for response in responses:
        spec = response.instrument.spec
        for number, item in enumerate(spec.items):
            steps.append(
                Step(
                    index=len(steps) + 1,
                    response=response,
                    spec=spec,
                    item=item,
                    first_of_instrument=number == 0,
                )
            )
    answers = {
        (answer.response_id, answer.item): answer
        for answer in Answer.objects.filter(response__administration=administration)
    }
    return Walk(steps=steps, answers=answers)


# -- rendering ------------------------------------------------------------------------------


def _direction(language: str) -> str:
    return "rtl" if get_language_info(language)["bidi"] else "ltr"


def _words(text: dict[str, str], language: str) -> dict:
    """Wording from an instrument, with the language it is really in: an instrument may lack
    the page's language and fall back to English, which the page must then mark as English
    so a screen reader (and read-aloud) pronounces it right."""
    shown = language if language in text else ("en" if "en" in text else next(iter(text), ""))
    return {
        "text": pick(text, language),
        "lang": shown if shown != language else "",
        "dir": _direction(shown) if shown and shown != language else "",
    }


def _render(request, template: str, context: dict, *, language: str, status: int = 200):
    context = {
        "ui": interface.for_language(language),
        "page_language": language,
        "page_direction": _direction(language),
        **context,
    }
    response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return response


def _language(administration: Administration) -> str:
    return interface.respondent_language(administration.language)


def _program_name(administration: Administration) -> str:
    return administration.program.short_name or administration.program.name


def _question_url(token: str, index: int) -> str:
    return reverse("survey_respond", args=[token]) + f"?q={index}"


def _visitor_language(request) -> str:
    """The language this visitor chose in the site's switcher, else the first respondent
    language the browser asks for ("fa-AF" is Dari), else English."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in NEWCOMER_LANGUAGES:
        return chosen
    for tag, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if tag == "fa-af":
            return "prs"
        code = tag.split("-")[0]
        if code in NEWCOMER_LANGUAGES:
            return code
    return "en"


def _thanks(language: str):
    return redirect(reverse("survey_done") + "?" + urlencode({"lang": language}))


def _thanks_again(request, token: str):
    """A second tap on "Send my answers" (or a slow phone sending twice) reaches a survey sent
    a moment ago: thank the person again rather than tell them the link is broken. Only for
    the POST of that form, within a few minutes; the page carries nothing of the survey."""
    if request.method != "POST" or not TOKEN_SHAPE.fullmatch(token):
        return None
    language = (
        Administration.objects.filter(
            token_hash=hash_token(token),
            status=AdminStatus.SUBMITTED,
            mode=Mode.LINK,
            submitted_at__gte=timezone.now() - JUST_SENT,
        )
        .values_list("language", flat=True)
        .first()
    )
    return _thanks(language) if language else None


def _invalid(request):
    """English, and first the visitor's language when it is one of ours; nothing else."""
    languages = list(dict.fromkeys([_visitor_language(request), "en"]))
    sections = [
        {
            "lang": code,
            "dir": _direction(code),
            "title": interface.text("invalid_title", code),
            "body": interface.text("invalid_body", code),
        }
        for code in languages
    ]
    return _render(
        request,
        "surveys/respond/invalid.html",
        {"sections": sections},
        language=languages[0],
        status=404,
    )


def _question(
    request, token: str, administration, walk: Walk, step: Step, *, language, form=None, status=200
):
    answer = walk.answer(step)
    if form is not None and form.is_bound:
        chosen = form.data.get("answer", "")
        number = form.data.get("number", "")
        text = form.data.get("text", "")
    else:
        chosen = str(answer.value) if answer is not None and answer.value is not None else ""
        number = chosen
        text = answer.text if answer is not None else ""
    choices = []
    if step.scale is not None:
        choices = [
            {
                "value": choice.value,
                "label": _words(choice.label, language),
                "checked": str(choice.value) == chosen,
            }
            for choice in step.scale.choices
        ]
    section = None
    if step.first_of_instrument:
        section = {
            "title": _words(step.spec.title, language),
            "description": _words(step.spec.description, language),
        }
    progress = interface.text("progress", language, n=step.index, total=walk.total)
    back = _question_url(token, step.index - 1) if step.index > 1 else None
    context = {
        "program_name": _program_name(administration),
        "step": step,
        "total": walk.total,
        "progress": progress,
        "section": section,
        "question": _words(step.item.text, language),
        "choices": choices,
        "number": number,
        "text": text,
        "text_max": TEXT_MAX,
        "error": form.error if form is not None else "",
        "back_url": back or reverse("survey_respond", args=[token]),
        "action_url": reverse("survey_respond", args=[token]),
        # Required items cannot be skipped (the instrument file says so).
        "can_skip": not step.item.required,
    }
    return _render(
        request, "surveys/respond/question.html", context, language=language, status=status
    )


# -- the views ------------------------------------------------------------------------------


@_private
@require_http_methods(["GET", "POST"])
def respond(request, token: str):
    """The introduction (no ``?q``), a question (``?q=<n>``), or an answer posted."""
    administration = _open(token)
    if administration is None:
        return _invalid(request)
    language = _language(administration)
    walk = _walk(administration)
    if not walk.steps:
        return _invalid(request)
    if request.method == "POST":
        return _answer(request, token, administration, walk, language=language)
    if "q" not in request.GET:
        return _intro(request, token, administration, walk, language=language)
    step = walk.step(request.GET["q"])
    if step is None:
        return redirect("survey_respond", token)
    return _question(request, token, administration, walk, step, language=language)


def _intro(request, token: str, administration: Administration, walk: Walk, *, language: str):
    resume_at = walk.resume_at()
    started = bool(walk.answers)
    if resume_at is None:
        go_to = reverse("survey_review", args=[token])
    else:
        go_to = _question_url(token, resume_at)
    household = administration.audience == Audience.HOUSEHOLD
    intro = "intro_household" if household else "intro_volunteer"
    context = {
        "program_name": _program_name(administration),
        "intro": interface.text(intro, language),
        "go_to": go_to,
        "started": started,
    }
    return _render(request, "surveys/respond/intro.html", context, language=language)


def _answer(request, token: str, administration, walk: Walk, *, language: str):
    step = walk.step(request.POST.get("q"))
    if step is None:
        # Only a forged or stale form gets here; nothing is saved, and the intro offers the
        # way back in.
        response = _intro(request, token, administration, walk, language=language)
        response.status_code = 400
        return response
    form = AnswerForm(request.POST, item=step.item, scale=step.scale, language=language)
    if request.POST.get("action") == "skip" and not step.item.required:
        value, text = None, ""
    elif form.is_valid():
        value, text = form.answer()
    else:
        return _question(
            request, token, administration, walk, step, language=language, form=form, status=400
        )
    try:
        answer_record(
            administration, response=step.response, item=step.item.number, value=value, text=text
        )
    except PermissionDenied:
        return _invalid(request)
    except ValidationError:
        form.add_error(None, interface.text("choose_answer", language))
        return _question(
            request, token, administration, walk, step, language=language, form=form, status=400
        )
    if step.index == walk.total:
        return redirect("survey_review", token)
    return redirect(_question_url(token, step.index + 1))


@_private
@require_http_methods(["GET", "POST"])
def review(request, token: str):
    """How many questions were answered, and the button that sends them."""
    administration = _open(token)
    if administration is None:
        return _thanks_again(request, token) or _invalid(request)
    language = _language(administration)
    if request.method == "POST":
        missing = _walk(administration).first_required_missing()
        if missing is not None:
            return redirect(_question_url(token, missing.index))
        try:
            consent = None
            if administration.person_id:
                consent = request.POST.get("research_consent") == "yes"
            administration_submit(administration, mode=Mode.LINK, research_consent=consent)
        except ValidationError:  # sent a moment ago, from another tab
            return _thanks_again(request, token) or _invalid(request)
        return _thanks(language)
    walk = _walk(administration)
    if not walk.steps:
        return _invalid(request)
    context = {
        "program_name": _program_name(administration),
        "body": interface.text("review_body", language, answered=walk.answered(), total=walk.total),
        "back_url": _question_url(token, walk.total),
        "action_url": reverse("survey_review", args=[token]),
        "ask_research_consent": administration.person_id is not None,
    }
    return _render(request, "surveys/respond/review.html", context, language=language)


@_private
@require_GET
def done(request):
    """The thanks page: no token (it no longer opens anything), only the language."""
    language = interface.respondent_language(request.GET.get("lang"))
    return _render(request, "surveys/respond/thanks.html", {}, language=language)
