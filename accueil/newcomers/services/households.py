"""Households after the referral: staff look-ups, the profile, its members and the waitlist.

Selectors (reads) come first, then services (writes). Every service checks that the person is
staff of the household's program, changes the household in one transaction and writes a named
audit entry on the household, so the household page's history tells the whole story.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.fields import keyed_hash

from ..models import (
    ConsentPurpose,
    Household,
    HouseholdMember,
    HouseholdStatus,
    ProgramIntake,
)
from ..signals import household_waitlisted

audit.register(
    {
        "household.profile_updated": gettext_lazy("{actor} updated the profile of {target}"),
        "household.member_added": gettext_lazy("{actor} added a member to {target}"),
        "household.member_changed": gettext_lazy("{actor} changed a member of {target}"),
        "household.member_removed": gettext_lazy("{actor} removed a member from {target}"),
        "household.waitlisted": gettext_lazy("{actor} put {target} on the waitlist"),
        "household.paused": gettext_lazy("{actor} paused {target} until {until}"),
        "household.resumed": gettext_lazy("{actor} put {target} back on the waitlist"),
        "household.withdrawn": gettext_lazy("{actor} recorded that {target} withdrew"),
    }
)

# The tabs of the household list, in the order a household moves through them.
LIST_STATUSES = [
    HouseholdStatus.RECEIVED,
    HouseholdStatus.NOT_ELIGIBLE,
    HouseholdStatus.ONBOARDING,
    HouseholdStatus.WAITING,
    HouseholdStatus.PAUSED,
    HouseholdStatus.MATCHED,
    HouseholdStatus.CLOSED,
    HouseholdStatus.WITHDRAWN,
]

# Where a household may be withdrawn from (a matched one leaves through its match).
WITHDRAWABLE = {
    HouseholdStatus.RECEIVED,
    HouseholdStatus.NOT_ELIGIBLE,
    HouseholdStatus.ONBOARDING,
    HouseholdStatus.WAITING,
    HouseholdStatus.PAUSED,
}

CHANNELS = [
    ("whatsapp", gettext_lazy("WhatsApp")),
    ("sms", gettext_lazy("Text message (SMS)")),
    ("phone", gettext_lazy("Phone call")),
    ("video", gettext_lazy("Video call")),
    ("email", gettext_lazy("Email")),
]


# -- phone look-up -------------------------------------------------------------------------


def phone_e164(text: str) -> str | None:
    """The number in E.164 form (+14165550123), or None when it cannot be a phone number.
    The same normalisation as the referral's (``newcomers.phone``, with ``phonenumbers``), so
    the hash of a typed number equals the stored one; without that package, digits only,
    with +1 for a 10-digit North American number."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        from .. import phone
    except ImportError:
        phone = None
    if phone is not None:
        try:
            return phone.normalise(text)
        except phone.InvalidPhoneNumber:
            return None
    if any(c.isalpha() for c in text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    if text.startswith("+"):
        return f"+{digits}" if 8 <= len(digits) <= 15 else None
    if len(digits) == 10:
        return f"+1{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"+{digits}"
    return None


def phone_hash(text: str) -> str | None:
    e164 = phone_e164(text)
    return keyed_hash(e164) if e164 else None


# -- selectors -----------------------------------------------------------------------------


def staff_households(user):
    """Households a staff member may open. Partner referrers see their referrals elsewhere
    (the "My referrals" page), never through these staff pages."""
    if not user.has_perm("newcomers.manage_households"):
        return Household.objects.none()
    return Household.objects.visible_to(user)


def status_counts(households) -> dict[str, int]:
    """Households per status, in one query."""
    counts = dict.fromkeys(HouseholdStatus.values, 0)
    for row in households.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def list_rows(households):
    """The list page's households with what each row shows, without a query per row."""
    return households.select_related("program", "region", "coordinator", "referring_organisation")


def days_since(moment, *, now=None) -> int | None:
    if moment is None:
        return None
    return max(0, ((now or timezone.now()) - moment).days)


def intakes_for(programs) -> dict[int, ProgramIntake]:
    """Each program's intake settings (created with the defaults where missing), in at most
    two queries whatever the number of programs."""
    program_ids = {p.pk for p in programs}
    found = {i.program_id: i for i in ProgramIntake.objects.filter(program_id__in=program_ids)}
    missing = [ProgramIntake(program_id=pk) for pk in program_ids - set(found)]
    if missing:
        ProgramIntake.objects.bulk_create(missing, ignore_conflicts=True)
        found = {i.program_id: i for i in ProgramIntake.objects.filter(program_id__in=program_ids)}
    return found


def waitlist_rows(households, *, now=None) -> list[dict]:
    """Waiting households, longest wait first, each with its program's target and a flag
    once the wait passes the upper target."""
    now = now or timezone.now()
    households = list(
        households.filter(status=HouseholdStatus.WAITING)
        .select_related("program", "region", "coordinator")
        .order_by("waitlisted_at", "pk")
    )
    intakes = intakes_for([h.program for h in households])
    rows = []
    for household in households:
        intake = intakes[household.program_id]
        days = days_since(household.waitlisted_at or household.status_changed_at, now=now)
        rows.append(
            {
                "household": household,
                "days": days,
                "target_min": intake.target_wait_min_days,
                "target_max": intake.target_wait_max_days,
                "over_target": days > intake.target_wait_max_days,
            }
        )
    rows.sort(key=lambda row: (-row["days"], row["household"].pk))
    return rows


def waitlist_blockers(household: Household) -> list[str]:
    """What stops the household from joining the waitlist, in plain words; empty when ready."""
    from .consent import has_consent

    blockers = []
    if household.status != HouseholdStatus.ONBOARDING:
        blockers.append(_("Only a household in onboarding can join the waitlist."))
    if household.eligible is not True:
        blockers.append(_("The household is not confirmed as eligible."))
    if not household.onboarding_calls.filter(completed_at__isnull=False).exists():
        blockers.append(_("The onboarding call is not completed."))
    if not household.priorities:
        blockers.append(_("Choose at least one integration priority."))
    if not household.availability:
        blockers.append(_("Record when the household is usually free."))
    if not household.channels:
        blockers.append(_("Choose at least one way to keep in touch."))
    if not household.shared_profile.strip():
        blockers.append(_("Write the shared profile."))
    if not has_consent(household, ConsentPurpose.PARTICIPATION):
        blockers.append(_("Record the household's consent to take part."))
    return blockers


def household_history(household: Household, *, limit: int = 50):
    """Named actions on the household, newest first. Views of the page are in the full audit
    trail, not here (every visit would push the story off the page)."""
    from accueil.core.models import AuditEntry

    return (
        AuditEntry.objects.for_record(household)
        .exclude(code="")
        .exclude(code="record.viewed")
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )


# -- services ------------------------------------------------------------------------------


def _require(user, household: Household) -> None:
    """Staff of the household's program, else PermissionDenied (views have already said 404)."""
    if user is None or not staff_households(user).filter(pk=household.pk).exists():
        raise PermissionDenied


def _lock(household: Household) -> Household:
    """Lock the row and read its current state into the caller's instance, so two people
    clicking at once cannot both move it, and checks read what is stored now. Callers save
    only the fields they change (``update_fields``): another person's edit made since the
    page was opened must survive."""
    Household.objects.select_for_update().only("pk").get(pk=household.pk)
    household.refresh_from_db()
    return household


# What _set_status changes, for the callers' update_fields.
STATUS_FIELDS = ["status", "status_changed_at", "updated_at"]


def _set_status(household: Household, status: str) -> None:
    household.status = status
    household.status_changed_at = timezone.now()


PROFILE_FIELDS = [
    "priorities",
    "priority_notes",
    "availability",
    "channels",
    "device_access",
    "women_only",
    "meeting_mode",
    "region",
    "postal_prefix",
    "accessibility_needs",
    "shared_profile",
    "staff_notes",
]


@transaction.atomic
def household_update_profile(*, household: Household, data: dict, by) -> Household:
    """Save the profile fields (already validated by the form)."""
    _require(by, household)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    _lock(household)
    region = data.get("region")
    if (
        region is not None
        and region.pk != household.region_id
        and not household.program.regions.filter(pk=region.pk).exists()
    ):
        raise ValidationError({"region": _("Choose a region of the household's program.")})
    for name, value in data.items():
        setattr(household, name, value)
    household.save(update_fields=[*data, "updated_at"])
    audit.record("household.profile_updated", actor=by, target=household)
    return household


@transaction.atomic
def member_save(
    *, household: Household, data: dict, by, member: HouseholdMember | None = None
) -> HouseholdMember:
    _require(by, household)
    adding = member is None
    if adding:
        member = HouseholdMember(household=household)
    elif member.household_id != household.pk:
        raise PermissionDenied
    for name in ("first_name", "age_band", "gender", "languages", "school_or_work", "needs"):
        if name in data:
            setattr(member, name, data[name])
    member.save()
    audit.record(
        "household.member_added" if adding else "household.member_changed",
        actor=by,
        target=household,
        data={"member": member.pk},
    )
    return member


@transaction.atomic
def member_remove(*, member: HouseholdMember, by) -> None:
    household = member.household
    _require(by, household)
    member_pk = member.pk
    member.delete()
    audit.record("household.member_removed", actor=by, target=household, data={"member": member_pk})


@transaction.atomic
def household_waitlist(*, household: Household, by) -> Household:
    """The household is ready for a group: profile complete, participation consent in force.
    Refuses with the reasons otherwise."""
    _require(by, household)
    _lock(household)
    blockers = waitlist_blockers(household)
    if blockers:
        raise ValidationError(blockers)
    _set_status(household, HouseholdStatus.WAITING)
    household.waitlisted_at = household.status_changed_at
    household.paused_until = None
    household.pause_reason = ""
    household.save(update_fields=[*STATUS_FIELDS, "waitlisted_at", "paused_until", "pause_reason"])
    audit.record("household.waitlisted", actor=by, target=household)
    transaction.on_commit(
        lambda: household_waitlisted.send(sender=Household, household=household, by=by)
    )
    return household


@transaction.atomic
def household_pause(*, household: Household, until: date, reason: str, by) -> Household:
    """Out of matching for a while (travelling, a new baby, a move). The waiting time keeps
    counting from the day the household joined the waitlist."""
    _require(by, household)
    _lock(household)
    errors = {}
    if household.status != HouseholdStatus.WAITING:
        raise ValidationError(_("Only a household on the waitlist can be paused."))
    if until <= timezone.localdate():
        errors["until"] = _("Choose a date after today.")
    elif until > timezone.localdate() + timedelta(days=366):
        errors["until"] = _("Choose a date within a year. You can pause again later.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the pause.")
    if errors:
        raise ValidationError(errors)
    _set_status(household, HouseholdStatus.PAUSED)
    household.paused_until = until
    household.pause_reason = reason.strip()
    household.save(update_fields=[*STATUS_FIELDS, "paused_until", "pause_reason"])
    audit.record("household.paused", actor=by, target=household, data={"until": until.isoformat()})
    return household


@transaction.atomic
def household_resume(*, household: Household, by) -> Household:
    _require(by, household)
    _lock(household)
    if household.status != HouseholdStatus.PAUSED:
        raise ValidationError(_("Only a paused household can go back on the waitlist."))
    _set_status(household, HouseholdStatus.WAITING)
    if household.waitlisted_at is None:
        household.waitlisted_at = household.status_changed_at
    household.paused_until = None
    household.pause_reason = ""
    household.save(update_fields=[*STATUS_FIELDS, "waitlisted_at", "paused_until", "pause_reason"])
    audit.record("household.resumed", actor=by, target=household)
    return household


@transaction.atomic
def household_withdraw(*, household: Household, reason: str, by) -> Household:
    """The household leaves the program before a match (it asked to, or cannot be reached)."""
    _require(by, household)
    _lock(household)
    if household.status not in WITHDRAWABLE:
        raise ValidationError(_("This household cannot be withdrawn from here."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    _set_status(household, HouseholdStatus.WITHDRAWN)
    household.withdrawn_reason = reason.strip()[:200]
    household.paused_until = None
    household.save(update_fields=[*STATUS_FIELDS, "withdrawn_reason", "paused_until"])
    audit.record("household.withdrawn", actor=by, target=household)
    return household
