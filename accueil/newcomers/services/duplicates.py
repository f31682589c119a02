"""Possible duplicates: the same phone number, or the same name with the same arrival date.

Names and dates are encrypted, so they are compared through keyed hashes computed on create
(core.fields.keyed_hash): the phone in E.164, and the folded name with the arrival date (the
claim date when no arrival date was given). A match only flags the new household; staff review
the pair and either merge them or say they are different households.
"""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.core import audit
from accueil.core.fields import keyed_hash

from ..models import Consent, Household, HouseholdStatus, OnboardingCall

MERGED_REASON = "merged"

audit.register(
    {
        "household.duplicate_flagged": gettext_lazy(
            "{target} was flagged as a possible duplicate of household #{other}"
        ),
        "household.duplicate_dismissed": gettext_lazy(
            "{actor} decided that {target} is not a duplicate of household #{other}"
        ),
        "household.merged": gettext_lazy("{actor} merged household #{other} into {target}"),
        "household.merged_into": gettext_lazy("{actor} merged {target} into household #{other}"),
    }
)


def _fold_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.replace("-", " ").split())


def identity_hash(
    name: str, arrival_date: datetime.date | None, claim_date: datetime.date | None = None
) -> str:
    """The keyed hash of a folded name (case, accents, spaces and hyphens ignored) with the
    arrival date, or the claim date when there is none; "" when there is no date."""
    if arrival_date:
        key = f"arrival:{arrival_date.isoformat()}"
    elif claim_date:
        key = f"claim:{claim_date.isoformat()}"
    else:
        return ""
    return keyed_hash(f"identity:{_fold_name(name)}|{key}")


def find_duplicate(household: Household) -> Household | None:
    """The oldest other live household with the same phone or the same identity."""
    same = Q(phone_hash=household.phone_hash)
    if household.identity_hash:
        same |= Q(identity_hash=household.identity_hash)
    return (
        Household.objects.filter(same, merged_into__isnull=True)
        .exclude(pk=household.pk)
        .order_by("pk")
        .first()
    )


def flag_duplicate(*, household: Household, by) -> Household | None:
    """Flag a new household that looks like an existing one. Part of the caller's
    transaction; returns the other household, if any."""
    other = find_duplicate(household)
    if other is not None:
        household.possible_duplicate_of = other
        household.save(update_fields=["possible_duplicate_of", "updated_at"])
        audit.record(
            "household.duplicate_flagged", actor=by, target=household, data={"other": other.pk}
        )
    return other


def _require(user, *households: Household) -> None:
    """Staff who may merge and can see every record involved, else PermissionDenied (views
    have already said 404)."""
    pks = {h.pk for h in households}
    if (
        user is None
        or not user.has_perm("newcomers.merge")
        or Household.objects.visible_to(user).filter(pk__in=pks).count() != len(pks)
    ):
        raise PermissionDenied


# A matched or closed household leaves through its match; a merge must not withdraw it.
MERGEABLE = {
    HouseholdStatus.RECEIVED,
    HouseholdStatus.NOT_ELIGIBLE,
    HouseholdStatus.ONBOARDING,
    HouseholdStatus.WAITING,
    HouseholdStatus.PAUSED,
    HouseholdStatus.WITHDRAWN,
}


@transaction.atomic
def duplicate_dismiss(*, household: Household, by) -> Household:
    """Staff say the flagged pair are two different households."""
    _require(by, household)
    household = Household.objects.select_for_update().get(pk=household.pk)
    other_id = household.possible_duplicate_of_id
    if other_id is None:
        raise ValidationError(_("This household is not flagged as a possible duplicate."))
    household.possible_duplicate_of = None
    household.save(update_fields=["possible_duplicate_of", "updated_at"])
    audit.record(
        "household.duplicate_dismissed", actor=by, target=household, data={"other": other_id}
    )
    return household


@transaction.atomic
def household_merge(*, keep: Household, merge: Household, by) -> Household:
    """Fold ``merge`` into ``keep``: members, consents and onboarding calls move to ``keep``;
    ``merge`` stays, withdrawn with the reason "merged" and pointing to ``keep``, with its own
    audit trail intact; each record's trail says which other record was involved.

    Where both have a consent in force for the same purpose, the more recent one stays in
    force and the other is closed (marked withdrawn at the time of the merge): the database
    allows one consent in force per purpose."""
    if keep.pk == merge.pk:
        raise ValidationError(_("Choose two different households."))
    _require(by, keep, merge)
    locked = {
        h.pk: h for h in Household.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])
    }
    keep, merge = locked[keep.pk], locked[merge.pk]
    if keep.merged_into_id or merge.merged_into_id:
        raise ValidationError(_("One of these households was already merged into another."))
    if merge.status not in MERGEABLE:
        raise ValidationError(_("This household cannot be withdrawn from here."))
    now = timezone.now()

    in_force = {c.purpose: c for c in keep.consents.filter(withdrawn_at__isnull=True)}
    for consent in merge.consents.filter(withdrawn_at__isnull=True):
        mine = in_force.get(consent.purpose)
        if mine is None:
            continue
        older = consent if consent.obtained_at <= mine.obtained_at else mine
        older.withdrawn_at = now
        older.withdrawn_by = by
        older.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    Consent.objects.filter(household=merge).update(household=keep)
    merge.members.update(household=keep)
    OnboardingCall.objects.filter(household=merge).update(household=keep)
    # Households flagged against the merged record now point at the one that stays.
    Household.objects.filter(possible_duplicate_of=merge).exclude(pk=keep.pk).update(
        possible_duplicate_of=keep
    )

    if keep.possible_duplicate_of_id == merge.pk:
        keep.possible_duplicate_of = None
        keep.save(update_fields=["possible_duplicate_of", "updated_at"])
    merge.merged_into = keep
    merge.possible_duplicate_of = None
    merge.status = HouseholdStatus.WITHDRAWN
    merge.status_changed_at = now
    merge.withdrawn_reason = MERGED_REASON
    merge.waitlisted_at = None
    merge.save(
        update_fields=[
            "merged_into",
            "possible_duplicate_of",
            "status",
            "status_changed_at",
            "withdrawn_reason",
            "waitlisted_at",
            "updated_at",
        ]
    )
    audit.record("household.merged", actor=by, target=keep, data={"other": merge.pk})
    audit.record("household.merged_into", actor=by, target=merge, data={"other": keep.pk})
    return keep
