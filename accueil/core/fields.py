"""Encrypted model fields for the most sensitive free text (e.g. staff notes, phone numbers).

Values are encrypted with Fernet (AES-128-CBC + HMAC) under settings.FIELD_ENCRYPTION_KEY;
several comma-separated keys allow rotation (the first encrypts, all decrypt).
Encrypted fields cannot be searched or ordered in SQL: keep a hashed lookup column beside
them when equality search is needed.
"""

from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in keys])


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
