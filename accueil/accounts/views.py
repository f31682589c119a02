from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accueil.core import audit
from accueil.core.access import get_visible_or_404, paginate, require_perm
from accueil.core.forms import add_service_errors
from accueil.messaging.models import OutboxMessage

from . import services
from .forms import AcceptInvitationForm, InvitationForm, PeopleFilterForm, RoleForm
from .models import Invitation, Organisation, Program, Region, Role, User


def _with_mfa_flag(queryset):
    return queryset.annotate(
        # The same test as the MFA gate (allauth's is_mfa_enabled): any authenticator.
        has_mfa=Exists(Authenticator.objects.filter(user=OuterRef("pk")))
    )


@login_required
def home(request):
    """What needs me today: real numbers for what exists, chosen by role."""
    user = request.user
    context = {"mfa_enabled": get_mfa_adapter().is_mfa_enabled(user)}
    if user.role in ("volunteer", "interpreter"):
        # Their home is "what's next for me" in the volunteers app.
        return redirect("volunteer_home")
    if user.is_staff_member:
        by_role = dict(
            User.objects.filter(is_active=True)
            .values_list("role")
            .annotate(n=Count("pk"))
            .order_by()
        )
        context["people_by_role"] = [(role, by_role.get(role.value, 0)) for role in Role]
        context["people_total"] = sum(by_role.values())
        context["pending_invitations"] = Invitation.objects.pending().count()
        context["programs"] = Program.objects.filter(is_active=True).prefetch_related("regions")
        if user.has_perm("messaging.view_outbox"):
            context["failed_messages"] = OutboxMessage.objects.failed().count()
            context["queued_messages"] = OutboxMessage.objects.filter(
                status=OutboxMessage.Status.QUEUED
            ).count()
        template = "accounts/home_staff.html"
    else:
        template = "accounts/home_member.html"
    return TemplateResponse(request, template, context)


@login_required
def mfa_required(request):
    if not request.user.needs_mfa or get_mfa_adapter().is_mfa_enabled(request.user):
        return redirect("home")
    return TemplateResponse(request, "accounts/mfa_required.html", {})


@require_perm("accounts.list_people")
def people_list(request):
    form = PeopleFilterForm(request.GET or None)
    people = _with_mfa_flag(User.objects.visible_to(request.user).select_related("organisation"))
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            people = people.filter(
                Q(full_name__icontains=data["q"])
                | Q(preferred_name__icontains=data["q"])
                | Q(email__icontains=data["q"])
            )
        if data["role"]:
            people = people.filter(role=data["role"])
        if data["organisation"]:
            people = people.filter(organisation=data["organisation"])
    page = paginate(request, people.order_by("full_name", "pk"))
    return TemplateResponse(request, "accounts/people_list.html", {"form": form, "page": page})


@login_required
def person_detail(request, pk: int):
    person = get_visible_or_404(User, request.user, pk=pk)
    if person.pk != request.user.pk:
        audit.viewed(actor=request.user, target=person)
    person.has_mfa = get_mfa_adapter().is_mfa_enabled(person)
    can_manage = request.user.has_perm("accounts.manage_person", person)
    context = {
        "person": person,
        "programs": person.programs.all(),
        "can_view_audit": request.user.has_perm("core.view_audit"),
        "can_manage": can_manage,
        "role_form": RoleForm(initial={"role": person.role}, by=request.user)
        if can_manage
        else None,
    }
    if context["can_view_audit"]:
        from accueil.core.audit import describe_entries
        from accueil.core.models import AuditEntry

        context["recent_audit"] = describe_entries(
            AuditEntry.objects.involving_user(person)
            .select_related("actor")
            .order_by("-timestamp", "-pk")[:10]
        )
    return TemplateResponse(request, "accounts/person_detail.html", context)


@require_perm("accounts.invite")
def invitation_list(request):
    status = request.GET.get("status", "pending")
    invitations = Invitation.objects.visible_to(request.user).select_related(
        "organisation", "invited_by"
    )
    from django.utils import timezone

    now = timezone.now()
    if status == "pending":
        invitations = invitations.pending()
    elif status == "accepted":
        invitations = invitations.filter(accepted_at__isnull=False)
    elif status == "expired":
        invitations = invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
        )
    elif status == "revoked":
        invitations = invitations.filter(revoked_at__isnull=False)
    else:
        status = "all"
    page = paginate(request, invitations.order_by("-created_at", "-pk"))
    tabs = [
        ("pending", _("Pending")),
        ("accepted", _("Accepted")),
        ("expired", _("Expired")),
        ("revoked", _("Revoked")),
        ("all", _("All")),
    ]
    return TemplateResponse(
        request, "accounts/invitation_list.html", {"page": page, "status": status, "tabs": tabs}
    )


@require_perm("accounts.invite")
def invitation_create(request):
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_create(
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                organisation=data["organisation"],
                programs=data["programs"],
                language=data["language"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(name)s.") % {"name": data["full_name"]}
            )
            return redirect("invitation_list")
    return TemplateResponse(request, "accounts/invitation_form.html", {"form": form})


@require_POST
@require_perm("accounts.manage_invitation")
def invitation_resend(request, pk: int):
    invitation = get_visible_or_404(Invitation, request.user, pk=pk)
    try:
        services.invitation_resend(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("A new invitation link was sent to %(name)s.") % {"name": invitation.full_name},
        )
    return redirect("invitation_list")


@require_POST
@require_perm("accounts.manage_invitation")
def invitation_revoke(request, pk: int):
    invitation = get_visible_or_404(Invitation, request.user, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The invitation for %(name)s was revoked.") % {"name": invitation.full_name}
        )
    return redirect("invitation_list")


def invitation_accept(request, token: str):
    """Public: the link from the invitation email."""
    invitation = Invitation.objects.by_token(token).select_related("organisation").first()
    if invitation is None or not invitation.is_usable:
        return TemplateResponse(request, "accounts/invitation_invalid.html", {}, status=404)
    if request.user.is_authenticated:
        return TemplateResponse(request, "accounts/invitation_signed_in.html", {}, status=200)
    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                preferred_name=form.cleaned_data["preferred_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            # The person has just chosen their password: count it as a fresh sign-in, so that
            # setting up two-step verification next does not ask for the password again.
            record_authentication(
                request, user, method="password", email=user.email, reauthenticated=True
            )
            messages.success(
                request, _("Welcome to Accueil, %(name)s.") % {"name": user.display_name}
            )
            return redirect(reverse("home"))
    return TemplateResponse(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


@require_perm("accounts.view_organisations")
def organisation_list(request):
    organisations = Organisation.objects.annotate(
        people_count=Count("people", filter=Q(people__is_active=True))
    )
    programs = Program.objects.prefetch_related("regions")
    regions = Region.objects.annotate(program_count=Count("programs"))
    return TemplateResponse(
        request,
        "accounts/organisation_list.html",
        {"organisations": organisations, "programs": programs, "regions": regions},
    )


CONFIG_FORMS = {
    "organisation": (Organisation, "OrganisationForm"),
    "program": (Program, "ProgramForm"),
    "region": (Region, "RegionForm"),
}


@require_perm("accounts.manage_configuration")
def config_edit(request, kind: str, pk: int | None = None):
    """Create or edit an organisation, a program or a region. Changes are audited by auditlog."""
    from . import forms as account_forms

    if kind not in CONFIG_FORMS:
        raise Http404
    model, form_name = CONFIG_FORMS[kind]
    instance = get_visible_or_404(model, request.user, pk=pk) if pk is not None else None
    form = getattr(account_forms, form_name)(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Saved “%(name)s”.") % {"name": saved})
        return redirect("organisation_list")
    return TemplateResponse(
        request,
        "accounts/config_form.html",
        {"form": form, "kind": kind, "instance": instance, "kind_label": model._meta.verbose_name},
    )


@require_POST
@login_required
def person_role(request, pk: int):
    person = get_visible_or_404(User, request.user, pk=pk)
    if not request.user.has_perm("accounts.manage_person", person):
        raise Http404
    form = RoleForm(request.POST, by=request.user)
    if form.is_valid():
        try:
            services.user_change_role(user=person, role=form.cleaned_data["role"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s is now: %(role)s.")
                % {"name": person.display_name, "role": person.get_role_display()},
            )
    else:
        messages.error(request, _("Choose a role from the list."))
    return redirect("person_detail", pk=person.pk)


@require_POST
@login_required
def person_active(request, pk: int):
    person = get_visible_or_404(User, request.user, pk=pk)
    if not request.user.has_perm("accounts.manage_person", person):
        raise Http404
    active = request.POST.get("active") == "1"
    services.user_set_active(user=person, active=active, by=request.user)
    if active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": person.display_name})
    else:
        messages.success(
            request, _("%(name)s can no longer sign in.") % {"name": person.display_name}
        )
    return redirect("person_detail", pk=person.pk)


@require_POST
def set_language(request):
    """Switch the interface language; for a signed-in person it is also remembered."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=False,
        )
    return response
