from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accueil.core import audit
from accueil.core.access import get_visible_or_404, paginate, require_perm
from accueil.core.forms import add_service_errors
from accueil.core.models import AuditEntry
from accueil.core.taxonomy import DAYS, PERIODS, IntegrationPriority

from ..forms_groups import AddMemberForm, GroupForm, JoinGroupForm, StartGroupForm
from ..models import Volunteer, WelcomeGroup
from ..readiness import group_readiness, readiness_for_groups
from ..services import groups as services


@login_required
def group_list(request):
    user = request.user
    if not (user.has_perm("volunteers.manage_groups") or user.role in ("volunteer", "interpreter")):
        raise Http404
    groups = (
        WelcomeGroup.objects.visible_to(user)
        .select_related("program", "region")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        .order_by("name", "pk")
    )
    show = request.GET.get("show", "")
    page = paginate(request, groups)
    readiness = readiness_for_groups(page.object_list)
    rows = [(group, readiness[group.pk]) for group in page.object_list]
    if show == "ready":
        rows = [row for row in rows if row[1].ready]
    elif show == "not_ready":
        rows = [row for row in rows if not row[1].ready]
    return TemplateResponse(
        request, "volunteers/groups/list.html", {"page": page, "rows": rows, "show": show}
    )


@require_perm("volunteers.manage_groups")
def group_create(request):
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The group “%(name)s” was created.") % {"name": group.name})
            return redirect("group_detail", pk=group.pk)
    return TemplateResponse(request, "volunteers/groups/form.html", {"form": form})


@login_required
def group_detail(request, pk: int):
    group = get_visible_or_404(WelcomeGroup, request.user, pk=pk)
    can_manage = request.user.has_perm("volunteers.manage_group", group)
    readiness = group_readiness(group)
    memberships = group.memberships.select_related("user").order_by("left_at", "-role", "joined_at")
    current = [m for m in memberships if m.left_at is None]
    context = {
        "group": group,
        "current": current,
        "past": [m for m in memberships if m.left_at is not None],
        "readiness": readiness,
        "reasons": [r.message for r in readiness.reasons]
        if can_manage
        else readiness.for_member(request.user.pk),
        "profile": services.group_profile(group),
        "can_manage": can_manage,
        "is_member": any(m.user_id == request.user.pk for m in current),
        "priorities": dict(IntegrationPriority.choices),
        "days": DAYS,
        "periods": PERIODS,
    }
    if can_manage:
        context["suggestions"] = services.suggest_members(group)
        context["history"] = audit.describe_entries(
            AuditEntry.objects.for_record(group)
            .select_related("actor")
            .order_by("-timestamp", "-pk")[:20]
        )
    return TemplateResponse(request, "volunteers/groups/detail.html", context)


@require_POST
@login_required
def group_add_member(request, pk: int):
    group = get_visible_or_404(WelcomeGroup, request.user, pk=pk)
    if not request.user.has_perm("volunteers.manage_group", group):
        raise Http404
    form = AddMemberForm(request.POST)
    if form.is_valid():
        volunteer = get_visible_or_404(Volunteer, request.user, pk=form.cleaned_data["volunteer"])
        try:
            services.group_add_member(
                group=group, user=volunteer.user, by=request.user, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(name)s joined the group.") % {"name": volunteer.user.display_name}
            )
    return redirect("group_detail", pk=group.pk)


@require_POST
@login_required
def group_member_action(request, pk: int, membership_pk: int):
    group = get_visible_or_404(WelcomeGroup, request.user, pk=pk)
    membership = (
        group.memberships.filter(pk=membership_pk, left_at__isnull=True)
        .select_related("user")
        .first()
    )
    is_self = membership is not None and membership.user_id == request.user.pk
    if membership is None or not (
        is_self or request.user.has_perm("volunteers.manage_group", group)
    ):
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "lead":
            if not request.user.has_perm("volunteers.manage_group", group):
                raise Http404
            services.group_set_lead(group=group, user=membership.user, by=request.user)
            messages.success(
                request, _("%(name)s now leads the group.") % {"name": membership.user.display_name}
            )
        elif action == "remove":
            services.group_remove_member(membership=membership, by=request.user)
            messages.success(
                request, _("%(name)s left the group.") % {"name": membership.user.display_name}
            )
            if is_self:
                return redirect("volunteer_home")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("group_detail", pk=group.pk)


@login_required
def group_join(request):
    if request.user.role not in ("volunteer", "interpreter"):
        raise Http404
    form = JoinGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.group_join_by_code(
                user=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Welcome to %(name)s!") % {"name": membership.group.name})
            return redirect("group_detail", pk=membership.group_id)
    return TemplateResponse(request, "volunteers/groups/join.html", {"form": form})


@login_required
def group_start(request):
    if request.user.role != "volunteer":
        raise Http404
    form = StartGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_start(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your group is ready for friends to join. Share the invite code.")
            )
            return redirect("group_detail", pk=group.pk)
    return TemplateResponse(request, "volunteers/groups/start.html", {"form": form})
