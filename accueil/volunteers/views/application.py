"""The public volunteer application at /apply/: question pages, check answers, submission,
resume by link, and the page where a new volunteer confirms their email and picks a password.

Nobody is signed in here. A draft is reached only through the session that started it (its
id is kept there) or through the secret link emailed to the applicant; anything else gets
the start page or a 404, never someone else's answers.
"""

import time
from functools import wraps

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accueil.accounts.models import Organisation, Program
from accueil.core import languages
from accueil.core.client_ip import client_ip
from accueil.core.forms import add_service_errors

from ..forms_application import STEP_FORMS, SetPasswordForm, SubmitForm, validate_answers
from ..models import ApplicationDraft
from ..services import application as services
from ..services.application import STEPS

SESSION_KEY = "volunteer_application_draft"
DONE_SESSION_KEY = "volunteer_application_sent_to"

# Starting an application sends an email: a spam robot must not turn the form into a mail
# cannon. Counted per client address over a fixed hour, in the shared cache.
STARTS_PER_HOUR = getattr(settings, "VOLUNTEER_APPLICATIONS_PER_HOUR", 10)

# Page titles: the question each page asks (its h1).
STEP_TITLES = {
    "about": gettext_lazy("About you"),
    "gender": gettext_lazy("What is your gender?"),
    "languages": gettext_lazy("Which languages do you speak?"),
    "skills": gettext_lazy("How would you like to help?"),
    "availability": gettext_lazy("When are you usually free?"),
    "location": gettext_lazy("Where and how you can help"),
    "group": gettext_lazy("Do you have a group invite code?"),
    "motivation": gettext_lazy("Why do you want to volunteer with us?"),
    "references": gettext_lazy("Two people who know you"),
    "consent": gettext_lazy("Privacy and screening"),
}


def _public(view):
    """Application pages are for people without an account: a signed-in person (staff or
    volunteer) is told they already have one, and nothing is created."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return TemplateResponse(request, "volunteers/apply/signed_in.html", {})
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _session_draft(request) -> ApplicationDraft | None:
    """The draft this browser is filling in, if it is still open."""
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    draft = ApplicationDraft.objects.filter(
        pk=pk, submitted_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if draft is None:
        request.session.pop(SESSION_KEY, None)
    return draft


def _over_rate_limit(request) -> bool:
    # One counter per address and clock hour. The hour is in the key rather than in the
    # expiry because the database cache resets the expiry on every incr().
    hour = int(time.time() // 3600)
    key = f"volunteer-apply-start:{client_ip(request) or 'unknown'}:{hour}"
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout=2 * 60 * 60)
    return count > STARTS_PER_HOUR


def _step_url(step: str, *, change: bool = False, review: bool = False) -> str:
    url = reverse("apply_step", args=[step])
    params = [p for p, on in (("change=1", change), ("review=1", review)) if on]
    return f"{url}?{'&'.join(params)}" if params else url


def _continue_url(draft: ApplicationDraft) -> str:
    step = services.draft_next_step(draft)
    return _step_url(step) if step else reverse("apply_check")


def _host_name() -> str:
    host = Organisation.objects.filter(kind=Organisation.Kind.HOST).first()
    return host.name if host else "Accueil"


@_public
def start(request):
    draft = _session_draft(request)
    return TemplateResponse(
        request,
        "volunteers/apply/start.html",
        {
            "draft": draft,
            "continue_url": _continue_url(draft) if draft else None,
            "host_name": _host_name(),
            "open": Program.objects.filter(is_active=True).exists(),
        },
    )


@_public
def step(request, step: str):
    if step not in STEP_FORMS:
        raise Http404
    draft = _session_draft(request)
    if draft is None and step != "about":
        messages.info(
            request,
            _("To continue your application, open the link we emailed you, or start again."),
        )
        return redirect("apply_start")
    answers = services.draft_answers(draft) if draft else {}
    form_class = STEP_FORMS[step]
    changing = request.GET.get("change") == "1"
    if request.method == "POST" and step == "about" and request.POST.get("website", "").strip():
        # A robot filled the hidden field: say the usual thing, keep nothing, send nothing.
        return redirect("apply_link_sent")
    if step == "about" and draft is None and not Program.objects.filter(is_active=True).exists():
        return redirect("apply_start")
    if request.method == "POST":
        form = form_class(request.POST, answers=answers)
        if form.is_valid():
            response = _save(request, draft, step, form)
            if response is not None:
                return response
            if not form.errors:  # else the service refused (the email has an account…)
                index = STEPS.index(step)
                if changing or index + 1 == len(STEPS):
                    return redirect("apply_check")
                return redirect(_step_url(STEPS[index + 1]))
    elif request.GET.get("review") == "1" and step in answers:
        # Sent back from the check page: show what is wrong with the saved answer.
        form = form_class.bind_stored(answers[step], answers)
        form.is_valid()
    else:
        initial = form_class.initial_from_storage(answers.get(step, {}))
        form = form_class(initial=initial, answers=answers)

    index = STEPS.index(step)
    if changing:
        back_url = reverse("apply_check")
    elif index == 0:
        back_url = reverse("apply_start")
    else:
        back_url = _step_url(STEPS[index - 1])
    context = {
        "form": form,
        "step": step,
        "step_number": index + 1,
        "step_count": len(STEPS),
        "title": STEP_TITLES[step],
        "back_url": back_url,
        "changing": changing,
        "draft": draft,
        "account_exists": any(
            e.code == "account_exists" for e in form.errors.as_data().get("email", [])
        ),
    }
    if step == "languages":
        context["language_names"] = languages.picker_names()
    if step == "consent":
        context["consent_version"] = services.CONSENT_VERSION
        context["host_name"] = _host_name()
    return TemplateResponse(request, f"volunteers/apply/{step}.html", context)


def _save(request, draft, step, form):
    """Save a valid page. Returns a response to send instead of moving on, or None."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if step == "about" and draft is None:
        if _over_rate_limit(request):
            return TemplateResponse(request, "429.html", {}, status=429)
        try:
            outcome = services.application_start(about=form.to_storage(), language=language)
        except ValidationError as exc:
            form.add_error("email", exc)
            return None
        if outcome.draft is None:
            return redirect("apply_link_sent")
        # A new session key for a new draft: nothing from before follows it.
        request.session.cycle_key()
        request.session[SESSION_KEY] = outcome.draft.pk
        return None
    try:
        services.application_save_step(
            draft=draft, step=step, answers=form.to_storage(), language=language
        )
    except ValidationError as exc:
        add_service_errors(form, exc, default_field="email" if step == "about" else None)
    return None


@_public
def check(request):
    draft = _session_draft(request)
    if draft is None:
        messages.info(
            request,
            _("To continue your application, open the link we emailed you, or start again."),
        )
        return redirect("apply_start")
    answers = services.draft_answers(draft)
    application, forms, needs_attention = validate_answers(answers)
    if needs_attention is not None:
        if needs_attention not in answers:
            return redirect(_step_url(needs_attention))
        # A saved answer stopped being valid (a program closed, a group code withdrawn…).
        messages.error(request, _("Please check this answer again."))
        return redirect(_step_url(needs_attention, change=True, review=True))
    submit_form = SubmitForm(request.POST or None)
    if request.method == "POST":
        try:
            volunteer = services.application_submit(draft=draft, answers=application)
        except ValidationError as exc:
            for message in exc.messages:
                submit_form.add_error(None, message)
        else:
            request.session.pop(SESSION_KEY, None)
            request.session[DONE_SESSION_KEY] = volunteer.user.email
            return redirect("apply_sent")
    rows = [
        {
            "question": question,
            "lines": lines,
            "change_url": _step_url(step_name, change=True) + "#" + form.anchor(field),
        }
        for step_name, form in forms
        for question, lines, field in form.summary_rows()
    ]
    return TemplateResponse(
        request,
        "volunteers/apply/check.html",
        {"rows": rows, "form": submit_form, "back_url": _step_url(STEPS[-1])},
    )


@_public
def sent(request):
    email = request.session.get(DONE_SESSION_KEY)
    if not email:
        return redirect("apply_start")
    return TemplateResponse(request, "volunteers/apply/sent.html", {"email": email})


@_public
def link_sent(request):
    return TemplateResponse(request, "volunteers/apply/link_sent.html", {})


@_public
def resume(request, token: str):
    draft = ApplicationDraft.objects.by_token(token).first()
    if draft is None:
        return TemplateResponse(request, "volunteers/apply/link_invalid.html", {}, status=404)
    request.session.cycle_key()
    request.session[SESSION_KEY] = draft.pk
    # Away from the URL with the secret in it (history, Referer), to where they left off.
    return redirect(_continue_url(draft))


@never_cache
def activate(request, key: str):
    """From the email sent on submission: confirm the address and choose a password."""
    address = services.activation_address(key)
    if address is None:
        return TemplateResponse(request, "volunteers/apply/activate_invalid.html", {}, status=404)
    user = address.user
    if request.user.is_authenticated:
        return TemplateResponse(request, "volunteers/apply/signed_in.html", {})
    if user.has_usable_password():
        # They chose a password another way ("forgot password"): allauth's own page confirms.
        return redirect("account_confirm_email", key=key)
    form = SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_activate(
                request=request, key=key, password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            record_authentication(request, user, method="password", email=user.email)
            messages.success(
                request, _("Welcome to Accueil, %(name)s.") % {"name": user.display_name}
            )
            return redirect("home")
    return TemplateResponse(
        request, "volunteers/apply/activate.html", {"form": form, "email": address.email}
    )
