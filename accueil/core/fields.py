"""Encrypted model fields for the most sensitive free text (e.g. staff notes, phone numbers).

Values are encrypted with Fernet (AES-128-CBC + HMAC) under settings.FIELD_ENCRYPTION_KEY;
several comma-separated keys allow rotation (the first encrypts, all decrypt).
Encrypted fields cannot be searched or ordered in SQL: keep a hashed lookup column beside
them when equality search is needed.
"""

import datetime
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in keys])


@receiver(setting_changed)
def _forget_keys(setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEY":
        _fernet.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


class EncryptedTextField(models.TextField):
    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted (claim and arrival dates reveal immigration history).
    It cannot be filtered or ordered in SQL; compute with it in Python."""

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return datetime.date.fromisoformat(text) if text else None

    def to_python(self, value):
        if value in (None, "") or isinstance(value, datetime.date):
            return value or None
        return datetime.date.fromisoformat(str(value))

    def get_prep_value(self, value):
        value = self.to_python(value)
        return encrypt(value.isoformat()) if value else None

    def formfield(self, **kwargs):
        from django import forms

        return forms.DateField(**{"required": not self.blank, **kwargs})


def keyed_hash(value: str) -> str:
    """A stable HMAC of a normalised value (a phone number) for equality look-ups, under a key
    of its own (FIELD_HASH_KEY), so the hash cannot be reversed by guessing numbers."""
    digest = hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256)
    return digest.hexdigest()
