"""Entering every answer of a survey at once: during a phone call with staff, through an
interpreter, or from a paper form.

One page holds every item of every questionnaire. The interviewer reads each question in the
respondent's language (chosen on the page, among the questionnaires' languages) with the staff
member's own language beside it. Staff of the survey's program may open it, and so may the
interpreter named on the survey (``services.can_enter``); anyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accueil.accounts.models import Role
from accueil.core.forms import add_service_errors

from .. import selectors
from ..forms_staff import ENTRY_MODES, EnterForm, answer_field_name
from ..models import Answer, Mode
from ..services import administration_enter


def _form(request, administration, responses, *, data=None, initial=None, for_interpreter):
    languages = selectors.entry_languages(responses)
    start = {
        "language": administration.language
        if administration.language in languages
        else next(iter(languages), "en"),
        "interpreter": str(administration.interpreter_id or ""),
        "interpreter_name": administration.interpreter_name,
    }
    if request.GET.get("mode") in ENTRY_MODES:
        start["mode"] = request.GET["mode"]
    # Answers the respondent already gave through the link: shown, so staff see them and
    # may change or clear them (what is saved replaces them).
    for answer in Answer.objects.filter(response__in=responses):
        value = answer.text if answer.value is None else str(answer.value)
        if value:
            start[answer_field_name(answer.response_id, answer.item)] = value
    return EnterForm(
        data,
        initial={**start, **(initial or {})},
        administration=administration,
        responses=responses,
        languages=languages,
        interpreters=[]
        if for_interpreter
        else selectors.program_interpreters(administration.program),
        staff_language=selectors.staff_language(),
        for_interpreter=for_interpreter,
    )


def survey_enter(request, pk: int):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    administration = selectors.get_administration_for_entry_or_404(user, pk)
    for_interpreter = user.role == Role.INTERPRETER
    if not administration.open_to_staff:
        messages.info(request, _("This survey is closed: its answers can no longer be entered."))
        if for_interpreter:
            return redirect("home")
        return redirect("survey_detail", pk=administration.pk)
    responses = list(administration.responses.select_related("instrument").order_by("position"))
    status = 200
    if request.method == "POST" and request.POST.get("action") == "language":
        # "Show the questions in this language": the same page, everything typed kept, no
        # error shown for what is not filled in yet.
        form = _form(
            request,
            administration,
            responses,
            initial=request.POST.dict(),
            for_interpreter=for_interpreter,
        )
    elif request.method == "POST":
        form = _form(
            request, administration, responses, data=request.POST, for_interpreter=for_interpreter
        )
        if form.is_valid():
            data = form.cleaned_data
            mode = Mode.INTERPRETER if for_interpreter else data["mode"]
            interpreter = user if for_interpreter else data.get("interpreter")
            try:
                administration_enter(
                    administration,
                    by=user,
                    answers=form.answers(),
                    mode=mode,
                    language=data["language"],
                    interpreter=interpreter if mode == Mode.INTERPRETER else None,
                    interpreter_name=data.get("interpreter_name", "")
                    if mode == Mode.INTERPRETER and interpreter is None
                    else "",
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The answers are saved and the survey is scored."))
                if for_interpreter:
                    return redirect("home")
                return redirect("survey_detail", pk=administration.pk)
        status = 400
    else:
        form = _form(request, administration, responses, for_interpreter=for_interpreter)
    context = {
        "administration": administration,
        "respondent": selectors.respondent_label(administration),
        "form": form,
        "sections": form.sections(),
        "for_interpreter": for_interpreter,
    }
    return TemplateResponse(request, "surveys/staff/enter.html", context, status=status)
