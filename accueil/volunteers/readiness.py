"""The readiness gate of a Welcome Group, explained in words.

A group is ready to be matched when it has enough approved members, a lead, no member with an
expired police check, and every member has finished the training their role requires. Each
missing condition is one reason, written for staff ("Sam's police check expired on …").
Computed for many groups at once in a constant number of queries (lists, matching).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import GroupMembership, ScreeningStep, StepType, Volunteer
from .selectors_training import GROUP_LEAD, missing_required_training


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    user_id: int | None = None


@dataclass
class Readiness:
    reasons: list[Reason] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.reasons

    def for_member(self, user_id: int) -> list[str]:
        """What a group member may read: the group's own reasons and their own, but not
        another member's screening facts (an expired check, unfinished training)."""
        messages, others = [], False
        for reason in self.reasons:
            if reason.user_id is None or reason.user_id == user_id:
                messages.append(reason.message)
            else:
                others = True
        if others:
            messages.append(_("some members still have checks or training to finish"))
        return messages

    def summary(self) -> str:
        if self.ready:
            return _("Ready to be matched")
        return _("Not ready: %(reasons)s") % {"reasons": "; ".join(r.message for r in self.reasons)}


def _date(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def readiness_for_groups(groups, *, on: date | None = None) -> dict[int, Readiness]:
    on = on or timezone.localdate()
    groups = list(groups)
    group_ids = [g.pk for g in groups]
    memberships = list(
        GroupMembership.objects.filter(group_id__in=group_ids, left_at__isnull=True).select_related(
            "user"
        )
    )
    user_ids = {m.user_id for m in memberships}
    volunteers = {v.user_id: v for v in Volunteer.objects.filter(user_id__in=user_ids)}
    police = defaultdict(list)
    for step in ScreeningStep.objects.filter(
        volunteer__user_id__in=user_ids, step_type=StepType.POLICE_CHECK
    ).select_related("volunteer"):
        police[step.volunteer.user_id].append(step)
    missing = _missing_training(memberships, on=on)

    by_group = defaultdict(list)
    for membership in memberships:
        by_group[membership.group_id].append(membership)

    result = {}
    for group in groups:
        members = by_group[group.pk]
        reasons: list[Reason] = []
        if not group.is_active:
            reasons.append(Reason("inactive", _("the group is not active")))
        approved = [
            m for m in members if volunteers.get(m.user_id) and volunteers[m.user_id].is_approved
        ]
        short = group.min_members - len(approved)
        if short > 0:
            reasons.append(
                Reason(
                    "members",
                    ngettext(
                        "needs %(count)d more approved member",
                        "needs %(count)d more approved members",
                        short,
                    )
                    % {"count": short},
                )
            )
        if not any(m.role == GroupMembership.Role.LEAD for m in members):
            reasons.append(Reason("lead", _("has no group lead")))
        for membership in members:
            name = membership.user.display_name
            volunteer = volunteers.get(membership.user_id)
            if volunteer is not None and not volunteer.is_approved:
                reasons.append(
                    Reason(
                        "not_approved",
                        _("%(name)s is not approved yet (%(status)s)")
                        % {"name": name, "status": volunteer.get_status_display()},
                        membership.user_id,
                    )
                )
            for step in police[membership.user_id]:
                if step.is_expired(on):
                    reasons.append(
                        Reason(
                            "check_expired",
                            _("%(name)s's police check expired on %(date)s")
                            % {"name": name, "date": _date(step.expires_on)},
                            membership.user_id,
                        )
                    )
            modules = missing.get(membership.user_id)
            if modules:
                reasons.append(
                    Reason(
                        "training",
                        _("%(name)s has not finished the required training: %(modules)s")
                        % {"name": name, "modules": ", ".join(m.title for m in modules)},
                        membership.user_id,
                    )
                )
        result[group.pk] = Readiness(reasons)
    return result


def group_readiness(group, *, on: date | None = None) -> Readiness:
    return readiness_for_groups([group], on=on)[group.pk]


def _missing_training(memberships, *, on: date) -> dict[int, list]:
    """Required modules each member has not passed; a lead also needs the lead modules."""
    roles = {}
    for membership in memberships:
        codes = {membership.user.role}
        if membership.role == GroupMembership.Role.LEAD:
            codes.add(GROUP_LEAD)
        roles[membership.user_id] = codes
    return missing_required_training(list(roles), roles, on=on)
