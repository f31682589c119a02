"""Staff pages for households: the list, the waitlist, a household's page (every view of it is
audited), the onboarding call, the profile and its members, consent, and waitlist actions.

Every page fetches the household through ``get_household_or_404``: staff of the household's
program only. Partner referrers, volunteers, interpreters and everyone else get 404, the same
answer as for a household that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accueil.core import audit, languages
from accueil.core.access import paginate, require_perm
from accueil.core.fields import keyed_hash
from accueil.core.forms import add_service_errors
from accueil.core.taxonomy import DAYS, PERIODS, IntegrationPriority

from ..forms_households import (
    CallForm,
    ConsentForm,
    MemberForm,
    PauseForm,
    PhoneSearchForm,
    ProfileForm,
    ScheduleForm,
    WithdrawForm,
)
from ..models import ConsentPurpose, Household, HouseholdStatus, ImmigrationStatus
from ..services import consent as consent_services
from ..services import households as services
from ..services import onboarding as onboarding_services

# -- access --------------------------------------------------------------------------------


def get_household_or_404(user, pk: int) -> Household:
    """A household the user manages (staff of its program), or 404."""
    if not user.has_perm("newcomers.manage_households"):
        raise Http404
    households = Household.objects.visible_to(user).select_related(
        "program", "region", "coordinator", "referring_organisation"
    )
    return get_object_or_404(households, pk=pk)


def _viewed_on_get(request, household: Household) -> None:
    """Pages that show parts of the record (notes, members' needs, call notes, consents, even
    only the name) count as views too; their POSTs are recorded by the services as named
    actions."""
    if request.method == "GET":
        audit.viewed(actor=request.user, target=household)


def _language_names(codes) -> list[str]:
    return [languages.language_name(code) for code in codes or []]


def _picker_names() -> list[str]:
    return languages.picker_names()


# -- the list and the waitlist -------------------------------------------------------------


@require_perm("newcomers.manage_households")
def household_list(request):
    households = services.staff_households(request.user)
    counts = services.status_counts(households)
    search = PhoneSearchForm(request.GET or None)
    status = request.GET.get("status", "")
    if status not in HouseholdStatus.values:
        status = ""
    listed = households
    searching = False
    if search.is_bound and search.is_valid() and search.cleaned_data["phone"]:
        # The hash of the typed number, never a decryption of every row.
        listed = listed.filter(phone_hash=keyed_hash(search.cleaned_data["phone"]))
        searching = True
    elif status:
        listed = listed.filter(status=status)
    listed = services.list_rows(listed).order_by("status_changed_at", "pk")
    page = paginate(request, listed)
    now = timezone.now()
    rows = [
        {"household": h, "days": services.days_since(h.status_changed_at, now=now)}
        for h in page.object_list
    ]
    tabs = [
        {"status": s, "label": s.label, "count": counts[s], "current": s == status}
        for s in services.LIST_STATUSES
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": search,
        "tabs": tabs,
        "status": status,
        "status_label": HouseholdStatus(status).label if status else "",
        "searching": searching,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "total": sum(counts.values()),
    }
    return TemplateResponse(request, "newcomers/households/list.html", context)


@require_perm("newcomers.manage_households")
def household_waitlist(request):
    households = services.staff_households(request.user)
    rows = services.waitlist_rows(households)
    paused = list(
        households.filter(status=HouseholdStatus.PAUSED)
        .select_related("program", "region")
        .order_by("paused_until", "pk")
    )
    context = {
        "rows": rows,
        "over": sum(1 for row in rows if row["over_target"]),
        "paused": paused,
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "newcomers/households/waitlist.html", context)


# -- the household's page ------------------------------------------------------------------


def _availability_grid(slots) -> list[dict]:
    chosen = set(slots or [])
    return [
        {
            "label": day_label,
            "cells": [
                {"period": period_label, "on": f"{day}_{period}" in chosen}
                for period, period_label in PERIODS
            ],
        }
        for day, day_label in DAYS
    ]


def _call_rows(calls) -> list[dict]:
    rows = []
    for call in calls:
        done = call.checklist or {}
        rows.append(
            {
                "call": call,
                "language": languages.language_name(call.language) if call.language else "",
                "items": [
                    {"label": label, "done": bool(done.get(key))}
                    for key, label in onboarding_services.CHECKLIST
                ],
            }
        )
    return rows


@login_required
def household_detail(request, pk: int):
    household = get_household_or_404(request.user, pk)
    # Every view of a household record is in the audit trail (who, what, when).
    audit.viewed(actor=request.user, target=household)
    priorities = dict(IntegrationPriority.choices)
    channels = dict(services.CHANNELS)
    members = list(household.members.order_by("pk"))
    calls = list(
        household.onboarding_calls.select_related("interpreter", "coordinator").order_by(
            "-scheduled_at"
        )
    )
    status = household.status
    context = {
        "household": household,
        "immigration_status": dict(ImmigrationStatus.choices).get(
            household.immigration_status, household.immigration_status
        ),
        "languages": _language_names(household.languages),
        "members": [{"member": m, "languages": _language_names(m.languages)} for m in members],
        "priorities": [str(priorities.get(code, code)) for code in household.priorities or []],
        "channels": [str(channels.get(code, code)) for code in household.channels or []],
        "availability": _availability_grid(household.availability),
        "periods": [label for _code, label in PERIODS],
        "consents": consent_services.current_consents(household),
        "calls": _call_rows(calls),
        "open_call": next((c for c in calls if not c.completed_at and not c.cancelled_at), None),
        "history": audit.describe_entries(services.household_history(household)),
        "can_view_audit": request.user.has_perm("core.view_audit"),
        "can_take": status in onboarding_services.SCHEDULABLE
        and household.eligible is not False
        and household.coordinator_id != request.user.pk,
        "can_schedule": status in onboarding_services.SCHEDULABLE
        and household.eligible is not False,
        "blockers": services.waitlist_blockers(household)
        if status == HouseholdStatus.ONBOARDING
        else [],
        "can_waitlist": status == HouseholdStatus.ONBOARDING,
        "can_pause": status == HouseholdStatus.WAITING,
        "can_resume": status == HouseholdStatus.PAUSED,
        "can_withdraw": status in services.WITHDRAWABLE,
        "wait_days": services.days_since(household.waitlisted_at)
        if status in (HouseholdStatus.WAITING, HouseholdStatus.PAUSED)
        else None,
    }
    return TemplateResponse(request, "newcomers/households/detail.html", context)


# -- onboarding ----------------------------------------------------------------------------


def _refuse(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@login_required
def household_take(request, pk: int):
    household = get_household_or_404(request.user, pk)
    try:
        onboarding_services.household_take(household=household, by=request.user)
    except ValidationError as exc:
        _refuse(request, exc)
    else:
        messages.success(request, _("You are now the coordinator of this household."))
    return redirect("household_detail", pk=household.pk)


@login_required
def household_schedule(request, pk: int):
    household = get_household_or_404(request.user, pk)
    if household.status not in onboarding_services.SCHEDULABLE:
        messages.info(request, _("This household is past onboarding."))
        return redirect("household_detail", pk=household.pk)
    _viewed_on_get(request, household)
    call = onboarding_services.open_call(household)
    language = (call.language if call else "") or next(iter(household.languages or []), "")
    interpreters = onboarding_services.interpreter_choices(language)
    initial = {}
    if call:
        initial = {
            "when": timezone.localtime(call.scheduled_at),
            "interpreter": str(call.interpreter_id or ""),
        }
    if language:
        initial["language"] = languages.language_name(language)
    form = ScheduleForm(request.POST or None, interpreters=interpreters, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            onboarding_services.onboarding_schedule(
                household=household,
                when=form.cleaned_data["when"],
                language=form.cleaned_data["language"],
                interpreter=form.cleaned_data["interpreter"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if form.cleaned_data["interpreter"]:
                messages.success(
                    request, _("The call is booked. The interpreter has been told by email.")
                )
            else:
                messages.success(request, _("The call is booked."))
            return redirect("household_detail", pk=household.pk)
    context = {
        "household": household,
        "form": form,
        "call": call,
        "call_language": languages.language_name(language) if language else "",
        "interpreters": interpreters,
        "any_unrecorded": any(row["speaks"] is None for row in interpreters),
        "language_options": _picker_names(),
    }
    return TemplateResponse(request, "newcomers/households/schedule.html", context)


@login_required
def household_call(request, pk: int, call_pk: int):
    household = get_household_or_404(request.user, pk)
    call = get_object_or_404(
        household.onboarding_calls.select_related("interpreter", "coordinator"), pk=call_pk
    )
    _viewed_on_get(request, household)
    closed = call.completed_at is not None or call.cancelled_at is not None
    initial = {
        "checklist": [k for k, done in (call.checklist or {}).items() if done],
        "duration_minutes": call.duration_minutes,
        "notes": call.notes,
    }
    form = CallForm(request.POST or None, initial=initial)
    if request.method == "POST" and not closed and form.is_valid():
        complete = request.POST.get("action") == "complete"
        try:
            onboarding_services.onboarding_save(
                call=call,
                checklist=form.cleaned_data["checklist"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                notes=form.cleaned_data["notes"],
                complete=complete,
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if complete:
                messages.success(request, _("The onboarding call is completed."))
                return redirect("household_detail", pk=household.pk)
            messages.success(request, _("Saved."))
            return redirect("household_call", pk=household.pk, call_pk=call.pk)
    context = {
        "household": household,
        "call": call,
        "closed": closed,
        "form": form,
        "rows": _call_rows([call])[0],
        "checklist": onboarding_services.CHECKLIST,
    }
    return TemplateResponse(request, "newcomers/households/call.html", context)


# -- the profile ---------------------------------------------------------------------------


@login_required
def household_profile(request, pk: int):
    household = get_household_or_404(request.user, pk)
    _viewed_on_get(request, household)
    form = ProfileForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        data = form.profile_data()
        household.refresh_from_db()  # the form wrote into the instance; the service decides
        try:
            services.household_update_profile(household=household, data=data, by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("household_detail", pk=household.pk)
    return TemplateResponse(
        request, "newcomers/households/profile.html", {"household": household, "form": form}
    )


@login_required
def household_member(request, pk: int, member_pk: int | None = None):
    household = get_household_or_404(request.user, pk)
    member = get_object_or_404(household.members, pk=member_pk) if member_pk else None
    _viewed_on_get(request, household)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        data = form.member_data()
        try:
            services.member_save(
                household=household,
                member=household.members.get(pk=member.pk) if member else None,
                data=data,
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Member saved."))
            return redirect("household_detail", pk=household.pk)
    context = {
        "household": household,
        "member": member,
        "form": form,
        "language_options": _picker_names(),
    }
    return TemplateResponse(request, "newcomers/households/member.html", context)


@require_POST
@login_required
def household_member_remove(request, pk: int, member_pk: int):
    household = get_household_or_404(request.user, pk)
    member = get_object_or_404(household.members, pk=member_pk)
    member.household = household
    services.member_remove(member=member, by=request.user)
    messages.success(request, _("Member removed."))
    return redirect("household_detail", pk=household.pk)


# -- consent -------------------------------------------------------------------------------


@login_required
def household_consent(request, pk: int):
    household = get_household_or_404(request.user, pk)
    _viewed_on_get(request, household)
    consent_services.ensure_consent_texts()
    initial = {}
    if household.languages:
        initial["language"] = languages.language_name(household.languages[0])
    if request.GET.get("purpose") in ConsentPurpose.values:
        initial["purpose"] = request.GET["purpose"]
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent_services.consent_record(
                household=household,
                purpose=data["purpose"],
                given=data["given"] == "yes",
                version=data["version"],
                language=data["language"],
                method=data["method"],
                obtained_at=form.obtained_at(),
                obtained_by_name=data["obtained_by_name"].strip(),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("household_detail", pk=household.pk)
    from ..models import ConsentText

    texts = list(
        ConsentText.objects.filter(
            version=consent_services.CONSENT_VERSION, language__in=["en", "fr"]
        ).order_by("purpose", "language")
    )
    purposes = dict(ConsentPurpose.choices)
    context = {
        "household": household,
        "form": form,
        "consents": consent_services.current_consents(household),
        "texts": [
            {
                "purpose": purposes.get(t.purpose, t.purpose),
                "language": languages.language_name(t.language),
                "text": t,
            }
            for t in texts
        ],
        "version": consent_services.CONSENT_VERSION,
        "language_options": _picker_names(),
    }
    return TemplateResponse(request, "newcomers/households/consent.html", context)


@require_POST
@login_required
def household_consent_withdraw(request, pk: int, purpose: str):
    household = get_household_or_404(request.user, pk)
    if purpose not in ConsentPurpose.values:
        raise Http404
    withdrawn = consent_services.consent_withdraw(
        household=household, purpose=purpose, by=request.user
    )
    if withdrawn is None:
        messages.info(request, _("There was no consent to withdraw."))
    else:
        messages.success(
            request,
            _("Consent withdrawn: %(purpose)s.") % {"purpose": ConsentPurpose(purpose).label},
        )
    return redirect("household_detail", pk=household.pk)


# -- the waitlist --------------------------------------------------------------------------


@require_POST
@login_required
def household_waitlist_add(request, pk: int):
    household = get_household_or_404(request.user, pk)
    try:
        services.household_waitlist(household=household, by=request.user)
    except ValidationError as exc:
        _refuse(request, exc)
    else:
        messages.success(request, _("The household is on the waitlist."))
    return redirect("household_detail", pk=household.pk)


@login_required
def household_pause(request, pk: int):
    household = get_household_or_404(request.user, pk)
    _viewed_on_get(request, household)
    form = PauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_pause(
                household=household,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The household is paused."))
            return redirect("household_detail", pk=household.pk)
    context = {
        "household": household,
        "form": form,
        "allowed": household.status == HouseholdStatus.WAITING,
    }
    return TemplateResponse(request, "newcomers/households/pause.html", context)


@require_POST
@login_required
def household_resume(request, pk: int):
    household = get_household_or_404(request.user, pk)
    try:
        services.household_resume(household=household, by=request.user)
    except ValidationError as exc:
        _refuse(request, exc)
    else:
        messages.success(request, _("The household is back on the waitlist."))
    return redirect("household_detail", pk=household.pk)


@login_required
def household_withdraw(request, pk: int):
    household = get_household_or_404(request.user, pk)
    _viewed_on_get(request, household)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_withdraw(
                household=household, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The household is withdrawn."))
            return redirect("household_detail", pk=household.pk)
    context = {
        "household": household,
        "form": form,
        "allowed": household.status in services.WITHDRAWABLE,
    }
    return TemplateResponse(request, "newcomers/households/withdraw.html", context)
