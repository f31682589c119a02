"""Welcome Groups: built by staff or self-formed with an invite code, one lead at a time."""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.languages import language_name
from accueil.core.taxonomy import SLOTS

from ..models import GroupMembership, Volunteer, VolunteerStatus, WelcomeGroup

audit.register(
    {
        "group.created": gettext_lazy("{actor} created the Welcome Group {target}"),
        "group.member_added": gettext_lazy("{actor} added a member to {target}"),
        "group.member_removed": gettext_lazy("{actor} removed a member from {target}"),
        "group.lead_changed": gettext_lazy("{actor} chose a new lead for {target}"),
        "group.joined_by_code": gettext_lazy("{actor} joined {target} with its invite code"),
        "group.left": gettext_lazy("{actor} left {target}"),
    }
)


def normalize_invite_code(code: str) -> str:
    """Codes are read out on the phone and typed by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _current(group):
    return group.memberships.filter(left_at__isnull=True)


@transaction.atomic
def group_create(*, name: str, program, region, by, capacity: int = 1, lead=None) -> WelcomeGroup:
    if not by.has_perm("volunteers.manage_group", WelcomeGroup(program=program)):
        raise PermissionDenied
    group = WelcomeGroup.objects.create(
        name=name.strip(), program=program, region=region, capacity=capacity, created_by=by
    )
    audit.record("group.created", actor=by, target=group)
    if lead is not None:
        group_add_member(group=group, user=lead, by=by, role=GroupMembership.Role.LEAD)
    return group


def _check_can_join(group: WelcomeGroup, user) -> None:
    if not group.is_active:
        raise ValidationError(_("This group is not taking new members."))
    if user.role not in ("volunteer", "interpreter"):
        raise ValidationError(_("Only volunteers and interpreters can be group members."))
    volunteer = Volunteer.objects.filter(user=user).first()
    if user.role == "volunteer" and volunteer is None:
        raise ValidationError(
            _("%(name)s has not applied as a volunteer.") % {"name": user.display_name}
        )
    if volunteer is not None and volunteer.status in (
        VolunteerStatus.DECLINED,
        VolunteerStatus.WITHDRAWN,
    ):
        raise ValidationError(_("%(name)s is no longer a volunteer.") % {"name": user.display_name})
    if volunteer is not None and volunteer.program_id != group.program_id:
        raise ValidationError(
            _("%(name)s volunteers with another program.") % {"name": user.display_name}
        )
    if _current(group).filter(user=user).exists():
        raise ValidationError(_("%(name)s is already in this group.") % {"name": user.display_name})


@transaction.atomic
def group_add_member(
    *, group: WelcomeGroup, user, by, role: str = GroupMembership.Role.MEMBER
) -> GroupMembership:
    if not by.has_perm("volunteers.manage_group", group):
        raise PermissionDenied
    WelcomeGroup.objects.select_for_update().filter(pk=group.pk).first()
    _check_can_join(group, user)
    if role == GroupMembership.Role.LEAD:
        _current(group).filter(role=GroupMembership.Role.LEAD).update(
            role=GroupMembership.Role.MEMBER
        )
    membership = GroupMembership.objects.create(group=group, user=user, role=role)
    audit.record(
        "group.member_added", actor=by, target=group, data={"user_id": user.pk, "role": role}
    )
    return membership


@transaction.atomic
def group_remove_member(*, membership: GroupMembership, by) -> GroupMembership:
    if membership.user_id != by.pk and not by.has_perm("volunteers.manage_group", membership.group):
        raise PermissionDenied
    if membership.left_at is not None:
        return membership
    membership.left_at = timezone.now()
    membership.save(update_fields=["left_at", "updated_at"])
    code = "group.left" if membership.user_id == by.pk else "group.member_removed"
    audit.record(code, actor=by, target=membership.group, data={"user_id": membership.user_id})
    return membership


@transaction.atomic
def group_set_lead(*, group: WelcomeGroup, user, by) -> GroupMembership:
    if not by.has_perm("volunteers.manage_group", group):
        raise PermissionDenied
    membership = _current(group).filter(user=user).first()
    if membership is None:
        raise ValidationError(_("The lead must be a member of the group."))
    _current(group).filter(role=GroupMembership.Role.LEAD).exclude(pk=membership.pk).update(
        role=GroupMembership.Role.MEMBER
    )
    membership.role = GroupMembership.Role.LEAD
    membership.save(update_fields=["role", "updated_at"])
    audit.record("group.lead_changed", actor=by, target=group, data={"user_id": user.pk})
    return membership


@transaction.atomic
def group_join_by_code(*, user, code: str) -> GroupMembership:
    """A volunteer joins friends' group with the code they were given."""
    group = (
        WelcomeGroup.objects.select_for_update()
        .filter(invite_code=normalize_invite_code(code))
        .first()
    )
    if group is None:
        raise ValidationError(
            {"code": _("No group has this code. Check it with the person who gave it to you.")}
        )
    try:
        _check_can_join(group, user)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from None
    membership = GroupMembership.objects.create(
        group=group, user=user, role=GroupMembership.Role.MEMBER
    )
    audit.record("group.joined_by_code", actor=user, target=group)
    return membership


@transaction.atomic
def group_start(*, user, name: str) -> WelcomeGroup:
    """A volunteer starts a group with friends and becomes its lead; staff are told by the audit."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise ValidationError(_("Apply as a volunteer first."))
    if volunteer.status in (VolunteerStatus.DECLINED, VolunteerStatus.WITHDRAWN):
        raise ValidationError(_("Only current volunteers can start a group."))
    if GroupMembership.objects.filter(
        user=user, left_at__isnull=True, role=GroupMembership.Role.LEAD
    ).exists():
        raise ValidationError(_("You already lead a group."))
    group = WelcomeGroup.objects.create(
        name=name.strip(), program=volunteer.program, region=volunteer.region, created_by=user
    )
    audit.record("group.created", actor=user, target=group)
    GroupMembership.objects.create(group=group, user=user, role=GroupMembership.Role.LEAD)
    return group


def group_profile(group: WelcomeGroup) -> dict:
    """The group as a whole, from its current members: languages (best level), skills with how
    many members have them, availability slots with how many members are free, regions,
    gender composition."""
    members = list(
        _current(group)
        .select_related("user__volunteer__region")
        .prefetch_related("user__volunteer__languages")
    )
    volunteers = [m.user.volunteer for m in members if hasattr(m.user, "volunteer")]
    levels = ["basic", "conversational", "fluent", "native"]
    languages: dict[str, str] = {}
    for volunteer in volunteers:
        for lang in volunteer.languages.all():
            if lang.code not in languages or levels.index(lang.level) > levels.index(
                languages[lang.code]
            ):
                languages[lang.code] = lang.level
    skills = Counter(skill for v in volunteers for skill in v.skills)
    slots = Counter(slot for v in volunteers for slot in v.availability if slot in SLOTS)
    # Plain dicts and lists: templates look up attributes as dict keys first, and a Counter
    # answers 0 for any missing key ("items", "most_common").
    return {
        "size": len(members),
        "languages": languages,
        "skills": skills.most_common(),
        "availability": dict(slots),
        "regions": sorted(Counter(v.region.name for v in volunteers).items()),
        "genders": sorted(Counter(v.gender or "" for v in volunteers).items()),
        "in_person": sum(1 for v in volunteers if v.in_person),
    }


def suggest_members(
    group: WelcomeGroup, *, limit: int = 10
) -> list[tuple[Volunteer, int, list[str]]]:
    """Approved volunteers of the group's program who are in no current group, ranked by how
    well they fit: hours in common with the group, shared languages, same region."""
    profile = group_profile(group)
    busy = GroupMembership.objects.filter(left_at__isnull=True).values("user_id")
    candidates = (
        Volunteer.objects.filter(
            program=group.program, status__in=[VolunteerStatus.APPROVED, VolunteerStatus.ACTIVE]
        )
        .exclude(user_id__in=busy)
        .select_related("user", "region")
        .prefetch_related("languages")
    )
    ranked = []
    for volunteer in candidates:
        score, why = 0, []
        common = [slot for slot in volunteer.availability if profile["availability"].get(slot)]
        if common:
            score += 2 * len(common)
            why.append(_("%(count)d times a week in common") % {"count": len(common)})
        shared = sorted(
            {lang.code for lang in volunteer.languages.all()} & set(profile["languages"])
        )
        if shared:
            score += 5 * len(shared)
            names = ", ".join(language_name(code) for code in shared)
            why.append(_("shares %(languages)s") % {"languages": names})
        if volunteer.region_id == group.region_id:
            score += 5
            why.append(_("same region"))
        ranked.append((volunteer, score, why))
    ranked.sort(key=lambda row: (-row[1], row[0].applied_at))
    return ranked[:limit]
