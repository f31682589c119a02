"""The referral portal at /refer/: the referral form and its check-your-answers page (partners
and staff), "My referrals" for partner referrers, the public self-referral form when a program
switches it on, and the staff pages for eligibility overrides and possible duplicates.

Every household is fetched through Household.objects.visible_to(): a partner reaches only
the referrals of their own agency, and anything else is a 404.
"""

from __future__ import annotations

import json
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accueil.accounts.models import Program
from accueil.core import audit, languages
from accueil.core.access import get_visible_or_404, paginate, require_perm
from accueil.core.client_ip import client_ip
from accueil.core.fields import decrypt, encrypt
from accueil.core.forms import ErrorLinksMixin, add_service_errors

from .. import phone as phones
from ..forms_referral import ReferralForm
from ..models import Household, ImmigrationStatus
from ..services import duplicates as duplicate_services
from ..services import eligibility as eligibility_services
from ..services import referrals as services

# Drafts live in the session between the form and the check page, encrypted like the
# household record they become (the session table is not a place for immigration details).
DRAFT_KEY = "referral_draft"
SELF_DRAFT_KEY = "self_referral_draft"
SELF_DONE_KEY = "self_referral_sent"

# A public form that creates records: a robot must not fill the waiting list.
SELF_REFERRALS_PER_HOUR = getattr(settings, "SELF_REFERRALS_PER_HOUR", 5)


def _mode(user) -> str:
    return ReferralForm.STAFF if user.is_staff_member else ReferralForm.PARTNER


def _programs(user):
    programs = Program.objects.filter(is_active=True).order_by("name")
    if user.role == "coordinator":
        programs = programs.filter(pk__in=user.programs.values("pk"))
    return programs


def _store(request, key: str, stored: dict) -> None:
    request.session[key] = encrypt(json.dumps(stored))


def _stored(request, key: str) -> dict | None:
    token = request.session.get(key)
    if not token:
        return None
    try:
        stored = json.loads(decrypt(token))
    except Exception:  # a rotated key, a damaged session: start again
        request.session.pop(key, None)
        return None
    return stored if isinstance(stored, dict) else None


def _form_page(request, form, *, self_referral: bool = False, status: int = 200):
    return TemplateResponse(
        request,
        "newcomers/refer/form.html",
        {
            "form": form,
            "language_names": languages.picker_names(),
            "self_referral": self_referral,
            "consent_text": _consent_text(),
            "back_url": reverse("home") if not self_referral else "",
        },
        status=status,
    )


def _consent_text() -> str:
    from django.utils import translation

    from ..models import ConsentPurpose, ConsentText

    version = services.current_consent_version()
    texts = ConsentText.objects.filter(purpose=ConsentPurpose.PARTICIPATION, version=version)
    language = (translation.get_language() or "en").split("-")[0]
    text = texts.filter(language=language).first() or texts.filter(language="en").first()
    return text.text if text else ""


# The form and the check page ---------------------------------------------------------------


@never_cache
@require_perm("newcomers.refer")
def refer(request):
    user = request.user
    programs = _programs(user)
    if not programs.exists():
        return TemplateResponse(request, "newcomers/refer/no_program.html", {})
    kwargs = {"mode": _mode(user), "user": user, "programs": programs}
    if request.method == "POST":
        form = ReferralForm(request.POST, **kwargs)
        if form.is_valid():
            _store(request, DRAFT_KEY, form.to_storage())
            return redirect("refer_check")
    else:
        stored = _stored(request, DRAFT_KEY) if request.GET.get("change") == "1" else None
        if stored is None:
            request.session.pop(DRAFT_KEY, None)
        form = ReferralForm(initial=stored or {}, **kwargs)
    return _form_page(request, form)


@never_cache
@require_perm("newcomers.refer")
def refer_check(request):
    user = request.user
    stored = _stored(request, DRAFT_KEY)
    if stored is None:
        return redirect("refer")
    form = ReferralForm(stored, mode=_mode(user), user=user, programs=_programs(user))
    if not form.is_valid():
        # Something changed since (a program closed, a new consent text): ask again.
        return _form_page(request, form)
    if request.method == "POST":
        organisation = user.organisation if not user.is_staff_member else None
        try:
            household = services.household_refer(
                referral=form.referral(organisation=organisation), by=user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _form_page(request, form)
        request.session.pop(DRAFT_KEY, None)
        messages.success(request, _("Thank you. The referral was sent."))
        return redirect("referral_detail", pk=household.pk)
    return TemplateResponse(
        request,
        "newcomers/refer/check.html",
        {
            "sections": form.summary_sections(),
            "change_url": reverse("refer") + "?change=1",
            "self_referral": False,
        },
    )


# My referrals -------------------------------------------------------------------------------


@require_perm("newcomers.view_own_referrals")
def referral_list(request):
    households = (
        Household.objects.visible_to(request.user)
        .only(
            "pk",
            "status",
            "referral_date",
            "head_name",
            "head_preferred_name",
            "eligibility_reason",
            "eligibility_override",
            "override_reason",
        )
        .order_by("-referral_date", "-pk")
    )
    page = paginate(request, households)
    rows = [{"household": h, "status": services.partner_status(h)} for h in page]
    return TemplateResponse(request, "newcomers/referrals/list.html", {"page": page, "rows": rows})


@require_perm("newcomers.refer")
def referral_detail(request, pk: int):
    household = get_visible_or_404(Household, request.user, pk=pk)
    audit.viewed(actor=request.user, target=household)
    consent = household.consents.filter(purpose="participation").order_by("obtained_at").first()
    staff = request.user.is_staff_member
    return TemplateResponse(
        request,
        "newcomers/referrals/detail.html",
        {
            "household": household,
            "status": services.partner_status(household),
            "phone": phones.display(household.phone),
            "language_names": [languages.language_name(c) for c in household.languages],
            "status_label": ImmigrationStatus(household.immigration_status).label,
            "priorities": _priority_labels(household.priorities),
            "consent": consent,
            "consent_language": languages.language_name(consent.language) if consent else "",
            "staff": staff,
            "merged_from": list(household.merged_from.all()) if staff else [],
        },
    )


def _priority_labels(codes):
    from accueil.core.taxonomy import IntegrationPriority

    labels = dict(IntegrationPriority.choices)
    return [labels.get(code, code) for code in codes]


# Eligibility override ------------------------------------------------------------------------


class OverrideForm(ErrorLinksMixin, forms.Form):
    eligible = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            ("yes", gettext_lazy("Eligible")),
            ("no", gettext_lazy("Not eligible")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose eligible or not eligible.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "When the household is not eligible, the referring partner sees this reason: "
            "write it for them."
        ),
        error_messages={"required": gettext_lazy("Give the reason for this decision.")},
    )


@require_perm("newcomers.override_eligibility")
def eligibility_override(request, pk: int):
    household = get_visible_or_404(Household, request.user, pk=pk)
    if request.method == "GET":
        # The rules' reason on this page names the status and the arrival or claim date.
        audit.viewed(actor=request.user, target=household)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            eligibility_services.eligibility_override(
                household=household,
                eligible=form.cleaned_data["eligible"] == "yes",
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your decision was recorded."))
            return redirect("referral_detail", pk=household.pk)
    return TemplateResponse(
        request,
        "newcomers/referrals/eligibility.html",
        {"household": household, "form": form},
    )


# Duplicates ---------------------------------------------------------------------------------


@require_perm("newcomers.merge")
def duplicate_list(request):
    visible = Household.objects.visible_to(request.user)
    # Only pairs the person can review: the look-alike may be in a program they do not see.
    flagged = (
        visible.filter(possible_duplicate_of__in=visible, merged_into__isnull=True)
        .select_related("possible_duplicate_of", "program")
        .order_by("-created_at", "-pk")
    )
    page = paginate(request, flagged)
    return TemplateResponse(request, "newcomers/referrals/duplicates.html", {"page": page})


COMPARED = [
    ("head_name", gettext_lazy("Name")),
    ("head_preferred_name", gettext_lazy("Preferred name")),
    ("phone", gettext_lazy("Phone number")),
    ("email", gettext_lazy("Email address")),
    ("immigration_status", gettext_lazy("Immigration status")),
    ("arrival_date", gettext_lazy("Arrival in Canada")),
    ("claim_date", gettext_lazy("Refugee claim")),
    ("household_size", gettext_lazy("People in the household")),
    ("city", gettext_lazy("City")),
    ("region", gettext_lazy("Region")),
    ("program", gettext_lazy("Program")),
    ("referral_date", gettext_lazy("Referral date")),
    ("referring_organisation", gettext_lazy("Referred by")),
    ("status", gettext_lazy("Status")),
]


def _compare_value(household, name):
    if name == "phone":
        return phones.display(household.phone)
    if name == "immigration_status":
        return ImmigrationStatus(household.immigration_status).label
    if name == "status":
        return household.get_status_display()
    value = getattr(household, name)
    return value if value not in (None, "") else "—"


@require_perm("newcomers.merge")
def duplicate_review(request, pk: int):
    user = request.user
    household = get_visible_or_404(
        Household, user, pk=pk, possible_duplicate_of__isnull=False, merged_into__isnull=True
    )
    other = get_visible_or_404(Household, user, pk=household.possible_duplicate_of_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "dismiss":
                duplicate_services.duplicate_dismiss(household=household, by=user)
                messages.success(request, _("Marked as two different households."))
                return redirect("duplicate_list")
            keep_id = request.POST.get("keep")
            if action == "merge" and keep_id in (str(household.pk), str(other.pk)):
                keep, merge = (
                    (household, other) if keep_id == str(household.pk) else (other, household)
                )
                duplicate_services.household_merge(keep=keep, merge=merge, by=user)
                messages.success(request, _("The two records were merged."))
                return redirect("referral_detail", pk=keep.pk)
            messages.error(request, _("Choose which record to keep."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    for record in (household, other):
        audit.viewed(actor=user, target=record)
    rows = [
        {
            "label": label,
            "new": _compare_value(household, name),
            "old": _compare_value(other, name),
        }
        for name, label in COMPARED
    ]
    for row in rows:
        row["same"] = str(row["new"]) == str(row["old"])
    return TemplateResponse(
        request,
        "newcomers/referrals/duplicate_review.html",
        {"household": household, "other": other, "rows": rows},
    )


# Self-referral --------------------------------------------------------------------------------


def _self_programs():
    programs = services.self_referral_programs()
    if not programs.exists():
        raise Http404
    return programs


def _self_gate(request):
    """None to go on, or a response: partners and staff use their own form."""
    if request.user.is_authenticated and request.user.has_perm("newcomers.refer"):
        return redirect("refer")
    return None


def _over_rate_limit(request) -> bool:
    # As the volunteers' application: one counter per address and clock hour, the hour in the
    # key because the database cache resets the expiry on every write.
    hour = int(time.time() // 3600)
    key = f"self-referral:{client_ip(request) or 'unknown'}:{hour}"
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout=2 * 60 * 60)
    return count > SELF_REFERRALS_PER_HOUR


@never_cache
def self_refer(request):
    programs = _self_programs()
    gate = _self_gate(request)
    if gate is not None:
        return gate
    if request.method == "POST":
        if request.POST.get("website", "").strip():
            # A robot filled the hidden field: say the usual thing, keep nothing.
            request.session[SELF_DONE_KEY] = True
            return redirect("refer_self_sent")
        form = ReferralForm(request.POST, mode=ReferralForm.SELF, programs=programs)
        if form.is_valid():
            _store(request, SELF_DRAFT_KEY, form.to_storage())
            return redirect("refer_self_check")
    else:
        stored = _stored(request, SELF_DRAFT_KEY) if request.GET.get("change") == "1" else None
        form = ReferralForm(initial=stored or {}, mode=ReferralForm.SELF, programs=programs)
    return _form_page(request, form, self_referral=True)


@never_cache
def self_refer_check(request):
    programs = _self_programs()
    gate = _self_gate(request)
    if gate is not None:
        return gate
    stored = _stored(request, SELF_DRAFT_KEY)
    if stored is None:
        return redirect("refer_self")
    form = ReferralForm(stored, mode=ReferralForm.SELF, programs=programs)
    if not form.is_valid():
        return _form_page(request, form, self_referral=True)
    if request.method == "POST":
        if _over_rate_limit(request):
            return TemplateResponse(request, "429.html", {}, status=429)
        try:
            services.household_refer(referral=form.referral(), by=None)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _form_page(request, form, self_referral=True)
        request.session.pop(SELF_DRAFT_KEY, None)
        request.session[SELF_DONE_KEY] = True
        return redirect("refer_self_sent")
    return TemplateResponse(
        request,
        "newcomers/refer/check.html",
        {
            "sections": form.summary_sections(),
            "change_url": reverse("refer_self") + "?change=1",
            "self_referral": True,
        },
    )


@never_cache
def self_refer_sent(request):
    _self_programs()
    if not request.session.pop(SELF_DONE_KEY, False):
        return redirect("refer_self")
    return TemplateResponse(request, "newcomers/refer/self_sent.html", {})
