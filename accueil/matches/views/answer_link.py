"""The link texted to a household: the public page where it answers a proposed match, and the
staff button that sends it.

The public page has no sign-in: the token in the address is the only key. It is 256 random
bits (models/answer_link.py), far too many to guess, so the page needs no rate limit. A link
that does not work, whatever the reason (unknown, expired, used, replaced, or the match moved
on), gets the same plain page with 404 and nothing about the match.

The page speaks the household's language (the link's), unless this browser chose another one
in the language switcher.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accueil.core.forms import add_service_errors

from .. import services_answer_link as services
from ..access import get_match_for_staff_or_404
from ..forms_answer_link import DeclineForm
from ..models import HouseholdAnswerLink, ProgramMatchSettings


def _language(request, link_language: str | None) -> str:
    site = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in site:
        return chosen
    if link_language in site:
        return link_language
    return translation.get_language() or settings.LANGUAGE_CODE


def _render(request, template: str, context: dict, *, language: str, status: int = 200):
    """Render now, inside the language, so the page and its <html lang dir> agree; and keep it
    out of caches, search engines and other sites' logs (the address is the key)."""
    with translation.override(language):
        response = TemplateResponse(request, template, context, status=status)
        response.render()
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private, max-age=0"
    # same-origin, not no-referrer: with no-referrer the browser posts the form with
    # "Origin: null" and the CSRF check refuses it. Other sites still receive no referrer.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Language"] = language
    return response


def _invalid(request, token: str):
    language = _language(request, services.answer_link_language(token))
    return _render(request, "matches/answer_link/invalid.html", {}, language=language, status=404)


def _page_context(link: HouseholdAnswerLink) -> dict:
    match = link.match
    return {
        "link": link,
        "program": match.program.name,
        "group": match.group.name,
        "interpreter": match.household.interpreter_needed,
        "months": ProgramMatchSettings.for_program(match.program).duration_months,
    }


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    link = services.answer_link_resolve(token)
    if link is None:
        return _invalid(request, token)
    language = _language(request, link.language)
    context = _page_context(link)
    choice = request.POST.get("answer") if request.method == "POST" else None
    if choice == "no" and request.POST.get("step") != "reason":
        # "No, not now": ask why, on a page of its own; the reason is optional.
        context["form"] = DeclineForm()
        return _render(request, "matches/answer_link/decline.html", context, language=language)
    if choice not in ("yes", "no"):
        return _render(request, "matches/answer_link/answer.html", context, language=language)
    form = DeclineForm(request.POST) if choice == "no" else None
    if form is not None and not form.is_valid():
        context["form"] = form
        return _render(
            request, "matches/answer_link/decline.html", context, language=language, status=400
        )
    try:
        services.answer_link_answer(
            token=token,
            accepted=choice == "yes",
            reason=form.cleaned_data["reason"] if form is not None else "",
        )
    except ValidationError as error:
        if form is None or getattr(error, "code", None) == services.INVALID:
            return _invalid(request, token)
        add_service_errors(form, error)
        context["form"] = form
        return _render(
            request, "matches/answer_link/decline.html", context, language=language, status=400
        )
    context["accepted"] = choice == "yes"
    return _render(request, "matches/answer_link/thanks.html", context, language=language)


@require_POST
def send(request, pk: int):
    """Staff text the household the link (a new one replaces the last)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("match_detail", args=[pk]))
    match = get_match_for_staff_or_404(request.user, pk)
    try:
        services.answer_link_send(match=match, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The household will get the link by text message."))
    return redirect(reverse("match_detail", args=[match.pk]) + "#action-household_answer")
