"""The audit trail: named actions with dotted codes, and views of sensitive records.

Every state change calls ``record(code, ...)`` inside the same transaction as the change.
Codes are registered here with the sentence that renders them, so the trail reads as
translated prose ("Amina Haddad invited a coordinator") rather than as field dumps.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import AuditEntry

# code -> sentence template. {actor} is the person who acted, {target} the record.
# Extra placeholders come from the entry's ``additional_data`` (ids and codes, never names).
CODES: dict[str, str] = {
    "account.invited": _("{actor} invited {target} as {role}"),
    "account.invitation_resent": _("{actor} sent the invitation for {target} again"),
    "account.invitation_revoked": _("{actor} revoked the invitation for {target}"),
    "account.invitation_accepted": _("{target} accepted an invitation and joined as {role}"),
    "account.logged_in": _("{actor} signed in"),
    "account.logged_out": _("{actor} signed out"),
    "account.login_failed": _("A sign-in to {target} failed"),
    "account.locked_out": _("{target} was locked out after repeated failed sign-ins"),
    "account.password_changed": _("{actor} changed their password"),
    "account.password_reset": _("{actor} reset their password"),
    "account.mfa_enabled": _("{actor} turned on two-step verification ({method})"),
    "account.mfa_disabled": _("{actor} removed a two-step verification method ({method})"),
    "account.role_changed": _("{actor} changed the role of {target} to {role}"),
    "account.deactivated": _("{actor} deactivated {target}"),
    "account.reactivated": _("{actor} reactivated {target}"),
    "account.language_changed": _("{actor} chose {language} as their language"),
    "message.retried": _("{actor} asked to send {target} again"),
    "message.failed": _("{target} could not be delivered"),
    "record.viewed": _("{actor} viewed {target}"),
}


def register(codes: dict[str, str]) -> None:
    """Let an app add its own codes (call at import of its services module)."""
    for code, sentence in codes.items():
        if code in CODES and CODES[code] != sentence:
            raise ValueError(f"Audit code {code!r} is registered twice with different sentences")
        CODES[code] = sentence


_ACTION_SENTENCES = {
    AuditEntry.Action.CREATE: _("{actor} created {target}"),
    AuditEntry.Action.UPDATE: _("{actor} changed {target}"),
    AuditEntry.Action.DELETE: _("{actor} deleted {target}"),
    AuditEntry.Action.ACCESS: _("{actor} viewed {target}"),
}

SYSTEM_ACTOR = pgettext_lazy("audit actor", "The system")


def record(
    code: str,
    *,
    actor,
    target: models.Model,
    data: dict | None = None,
    action: int = AuditEntry.Action.UPDATE,
) -> AuditEntry:
    """Write one named action to the trail. ``data`` holds ids and codes, not personal data."""
    if code not in CODES:
        raise ValueError(f"Unknown audit code {code!r}: register it in core.audit.CODES")
    return AuditEntry.objects.create(
        code=code,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(target),
        object_pk=str(target.pk),
        object_id=target.pk if isinstance(target.pk, int) else None,
        additional_data=data or None,
    )


def viewed(*, actor, target: models.Model) -> AuditEntry:
    """Record that ``actor`` opened a sensitive record (households, volunteers' documents)."""
    return record("record.viewed", actor=actor, target=target, action=AuditEntry.Action.ACCESS)


def describe_entries(entries) -> list[dict]:
    """Rows for a page of entries: the entry, its record (if it still exists) and a sentence.

    Records are loaded with one query per kind of record on the page, not one per row.
    """
    entries = list(entries)
    wanted: dict[int, set[str]] = defaultdict(set)
    for entry in entries:
        wanted[entry.content_type_id].add(entry.object_pk)
    found = {}
    for ct_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        for obj in model._base_manager.filter(pk__in=pks):
            found[(ct_id, str(obj.pk))] = obj
    rows = []
    for entry in entries:
        target = found.get((entry.content_type_id, entry.object_pk))
        rows.append(
            {"entry": entry, "target": target, "sentence": describe(entry, target_obj=target)}
        )
    return rows


def _label(obj) -> str:
    if obj is None:
        return ""
    label = getattr(obj, "audit_label", None)
    return str(label() if callable(label) else obj)


def describe(entry: AuditEntry, *, target_obj=None) -> str:
    """The entry as a sentence in the active language."""
    actor = _label(entry.actor) if entry.actor_id else str(SYSTEM_ACTOR)
    target = _label(target_obj) if target_obj is not None else entry.object_repr
    template = CODES.get(entry.code) or _ACTION_SENTENCES.get(entry.action, "{actor} {target}")
    values = {"actor": actor, "target": target}
    data = entry.additional_data or {}
    for key, value in data.items():
        values.setdefault(key, _display_value(key, value))
    try:
        return str(template).format_map(_Missing(values))
    except (KeyError, ValueError):
        return f"{entry.code or entry.get_action_display()}: {target}"


def _display_value(key: str, value) -> str:
    if key == "role":
        from django.contrib.auth import get_user_model

        labels = dict(get_user_model()._meta.get_field("role").choices)
        return str(labels.get(value, value))
    if key == "language":
        from django.utils.translation import get_language_info

        try:
            return get_language_info(value)["name_translated"]
        except KeyError:
            return str(value)
    return str(value)


class _Missing(dict):
    def __missing__(self, key):
        return "—"


def mask(value) -> str:
    """auditlog's default mask keeps half of the value ("******Haddad"); keep none of it."""
    return "••••••" if value not in (None, "") else ""
