"""Who a program serves, decided on the referral date, with the reason in words.

Each program has one EligibilityRule per immigration status: the date the window is counted
from (arrival in Canada, or the refugee claim), the window in calendar years (none: any date)
and, optionally, the regions served. A status with no rule is not eligible. The decision is
stored on the household with its reason; staff may override it with a reason of their own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accueil.core import audit

from ..models import EligibilityRule, Household, HouseholdStatus, ImmigrationStatus

Anchor = EligibilityRule.Anchor

# The program model's defaults (PRODUCT.md §2): resettled refugees 3 years after arrival,
# protected persons 4, claimants whatever the date of their claim. "Other" has no rule.
DEFAULT_RULES = {
    ImmigrationStatus.GAR: (Anchor.ARRIVAL, 3),
    ImmigrationStatus.JAS: (Anchor.ARRIVAL, 3),
    ImmigrationStatus.BVOR: (Anchor.ARRIVAL, 3),
    ImmigrationStatus.PROTECTED_PERSON: (Anchor.ARRIVAL, 4),
    ImmigrationStatus.CLAIMANT: (Anchor.CLAIM, None),
}

# The people a status describes, as the end of "within the 3 years for …".
GROUP_NAMES = {
    ImmigrationStatus.GAR: gettext_lazy("government-assisted refugees"),
    ImmigrationStatus.JAS: gettext_lazy("refugees under Joint Assistance Sponsorship"),
    ImmigrationStatus.BVOR: gettext_lazy("Blended Visa Office-Referred refugees"),
    ImmigrationStatus.PROTECTED_PERSON: gettext_lazy("protected persons"),
    ImmigrationStatus.CLAIMANT: gettext_lazy("refugee claimants"),
    ImmigrationStatus.OTHER: gettext_lazy("people with another status"),
}

audit.register(
    {
        "household.eligibility_evaluated": gettext_lazy(
            "The eligibility of {target} was evaluated on its referral date"
        ),
        "household.eligibility_overridden": gettext_lazy(
            "{actor} overrode the eligibility of {target}"
        ),
    }
)


@dataclass(frozen=True)
class Decision:
    eligible: bool
    reason: str


# Dates ------------------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (end >= start)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def elapsed_words(start: datetime.date, end: datetime.date) -> str:
    """ "2 years and 8 months", "3 years", "5 months", "less than a month"."""
    months = months_between(start, end)
    years, months = divmod(months, 12)
    year_words = ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    month_words = ngettext("%(n)d month", "%(n)d months", months) % {"n": months}
    if years and months:
        return _("%(years)s and %(months)s") % {"years": year_words, "months": month_words}
    if years:
        return year_words
    if months:
        return month_words
    return _("less than a month")


def _date_words(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def required_anchor(program, immigration_status: str) -> str:
    """Which date a referral must give for this status: the rule's, else the default's."""
    rule = EligibilityRule.objects.filter(
        program=program, immigration_status=immigration_status
    ).first()
    if rule is not None:
        return rule.anchor
    default = DEFAULT_RULES.get(immigration_status)
    return default[0] if default else Anchor.ARRIVAL


def check_dates(
    *,
    immigration_status: str,
    arrival_date: datetime.date | None,
    claim_date: datetime.date | None,
    referral_date: datetime.date,
    anchor: str | None = None,
    today: datetime.date | None = None,
) -> None:
    """Refuse impossible dates: the one the status needs missing, a date in the future or
    after the referral date, a claim before the arrival. Raises ValidationError by field."""
    today = today or timezone.localdate()
    if anchor is None:
        default = DEFAULT_RULES.get(immigration_status)
        anchor = default[0] if default else Anchor.ARRIVAL
    errors: dict[str, str] = {}
    if anchor == Anchor.CLAIM and claim_date is None:
        errors["claim_date"] = _("Enter the date of the refugee claim.")
    if anchor == Anchor.ARRIVAL and arrival_date is None:
        errors["arrival_date"] = _("Enter the date of arrival in Canada.")
    labels = {
        "arrival_date": (
            arrival_date,
            _("The arrival date cannot be in the future."),
            _("The arrival date cannot be after the referral date."),
        ),
        "claim_date": (
            claim_date,
            _("The claim date cannot be in the future."),
            _("The claim date cannot be after the referral date."),
        ),
    }
    for field, (day, future, after_referral) in labels.items():
        if day is None or field in errors:
            continue
        if day > today:
            errors[field] = future
        elif day > referral_date:
            errors[field] = after_referral
    if (
        arrival_date
        and claim_date
        and claim_date < arrival_date
        and "claim_date" not in errors
        and "arrival_date" not in errors
    ):
        errors["claim_date"] = _("The claim date cannot be before the arrival date.")
    if errors:
        raise ValidationError(errors)


# Rules ------------------------------------------------------------------------------------


def ensure_default_rules(program) -> dict[str, EligibilityRule]:
    """Create the default rules a program is missing (never changes an existing rule)."""
    rules = {rule.immigration_status: rule for rule in program.eligibility_rules.all()}
    for status, (anchor, years) in DEFAULT_RULES.items():
        if status not in rules:
            rules[status] = EligibilityRule.objects.create(
                program=program, immigration_status=status, anchor=anchor, window_years=years
            )
    return rules


def evaluate(
    *,
    program,
    immigration_status: str,
    arrival_date: datetime.date | None,
    claim_date: datetime.date | None,
    referral_date: datetime.date,
    region,
) -> Decision:
    """The decision on the referral date, with its reason as a sentence in the active
    language. Raises ValidationError for impossible dates (see check_dates)."""
    rule = (
        EligibilityRule.objects.filter(program=program, immigration_status=immigration_status)
        .prefetch_related("regions")
        .first()
    )
    group = GROUP_NAMES.get(immigration_status, GROUP_NAMES[ImmigrationStatus.OTHER])
    program_name = program.short_name or program.name
    if rule is None:
        return Decision(
            False,
            _("%(program)s does not serve %(group)s.") % {"program": program_name, "group": group},
        )
    check_dates(
        immigration_status=immigration_status,
        arrival_date=arrival_date,
        claim_date=claim_date,
        referral_date=referral_date,
        anchor=rule.anchor,
    )
    regions = list(rule.regions.all()) or list(program.regions.all())
    if region is not None and region not in regions:
        return Decision(
            False,
            _("%(program)s does not serve the %(region)s region.")
            % {"program": program_name, "region": region.name},
        )
    anchor_date = claim_date if rule.anchor == Anchor.CLAIM else arrival_date
    values = {"date": _date_words(anchor_date), "group": group}
    if rule.anchor == Anchor.CLAIM:
        start = _("Claim made on %(date)s") % values
    else:
        start = _("Arrived on %(date)s") % values
    if rule.window_years is None:
        return Decision(
            True,
            _("%(start)s: %(group)s are eligible whatever the date.")
            % {"start": start, "group": group},
        )
    values.update(
        start=start,
        elapsed=elapsed_words(anchor_date, referral_date),
        window=ngettext("%(n)d year", "%(n)d years", rule.window_years) % {"n": rule.window_years},
    )
    if referral_date <= add_years(anchor_date, rule.window_years):
        return Decision(
            True,
            _("%(start)s, %(elapsed)s before the referral: within the %(window)s for %(group)s.")
            % values,
        )
    return Decision(
        False,
        _("%(start)s, %(elapsed)s before the referral: more than the %(window)s for %(group)s.")
        % values,
    )


# Writes -----------------------------------------------------------------------------------


def apply_decision(*, household: Household, decision: Decision, by) -> None:
    """Store a rules decision on a household (status: not eligible, or back to received) and
    audit it. Part of the caller's transaction."""
    household.is_eligible = decision.eligible
    household.eligibility_reason = decision.reason
    fields = ["is_eligible", "eligibility_reason", "updated_at"]
    if household.eligibility_override is None:
        new_status = _status_for(household.status, decision.eligible)
        if new_status != household.status:
            household.status = new_status
            household.status_changed_at = timezone.now()
            fields += ["status", "status_changed_at"]
    household.save(update_fields=fields)
    audit.record(
        "household.eligibility_evaluated",
        actor=by,
        target=household,
        data={"eligible": decision.eligible},
    )


def _status_for(status: str, eligible: bool) -> str:
    if eligible and status == HouseholdStatus.NOT_ELIGIBLE:
        return HouseholdStatus.RECEIVED
    if not eligible and status in (
        HouseholdStatus.RECEIVED,
        HouseholdStatus.ONBOARDING,
        HouseholdStatus.WAITING,
        HouseholdStatus.PAUSED,
    ):
        return HouseholdStatus.NOT_ELIGIBLE
    return status


def _require(user, household: Household) -> None:
    """Staff who may decide eligibility and can see the household, else PermissionDenied
    (views have already said 404)."""
    if (
        user is None
        or not user.has_perm("newcomers.override_eligibility")
        or not Household.objects.visible_to(user).filter(pk=household.pk).exists()
    ):
        raise PermissionDenied


@transaction.atomic
def household_evaluate(*, household: Household, by) -> Decision:
    """Evaluate (again) a household's eligibility from its dates, on its referral date."""
    _require(by, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    decision = evaluate(
        program=household.program,
        immigration_status=household.immigration_status,
        arrival_date=household.arrival_date,
        claim_date=household.claim_date,
        referral_date=household.referral_date,
        region=household.region,
    )
    apply_decision(household=household, decision=decision, by=by)
    return decision


@transaction.atomic
def eligibility_override(*, household: Household, eligible: bool, reason: str, by) -> Household:
    """A staff decision that wins over the rules, with a reason (the referring partner sees
    the reason when the household is declared not eligible)."""
    _require(by, household)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    household.eligibility_override = eligible
    household.override_reason = reason
    household.overridden_by = by
    fields = ["eligibility_override", "override_reason", "overridden_by", "updated_at"]
    new_status = _status_for(household.status, eligible)
    if new_status != household.status:
        household.status = new_status
        household.status_changed_at = timezone.now()
        fields += ["status", "status_changed_at"]
    household.save(update_fields=fields)
    audit.record(
        "household.eligibility_overridden",
        actor=by,
        target=household,
        data={"eligible": eligible},
    )
    return household
