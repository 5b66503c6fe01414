"""Personal data at rest: an encrypted text field and the keyed digest used to look values up.

A database dump shows neither resident ID numbers nor health statements in clear (PIPL Art. 51,
等保 8.1.4.7). Lookups go through `digest()`, an HMAC that cannot be reversed without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    derived = hashlib.sha256(b"tqr-field-encryption:" + key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def digest(value: str) -> str:
    key = hashlib.sha256(b"tqr-field-digest:" + settings.FIELD_ENCRYPTION_KEY.encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("encrypted field cannot be read with the configured TQR_FIELD_KEY") from exc


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python sees the clear value. Not filterable: use a digest column."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
