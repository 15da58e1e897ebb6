"""Credentials at rest: encrypted with Fernet, and masked whenever a value is printed, logged or repr'd."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute

MASK = "********"


class Secret:
    """A credential in memory. ``str()``/``repr()`` show a mask; only ``reveal()`` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __repr__(self) -> str:
        return f"Secret({MASK if self._value else ''!r})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):
        # Never pickled into a cache, a task message or a session.
        raise TypeError("Secret values cannot be pickled.")


def reveal(value: Secret | str | None) -> str:
    if value is None:
        return ""
    return value.reveal() if isinstance(value, Secret) else value


def _fernet_key(material: str) -> bytes:
    """A Fernet key as given, or derived from any other string (such as SECRET_KEY)."""
    try:
        if len(base64.urlsafe_b64decode(material.encode())) == 32:
            return material.encode()
    except (ValueError, TypeError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(f"sellerops-spapi:{material}".encode()).digest())


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def cipher() -> MultiFernet:
    """The first configured key encrypts; every configured key decrypts, so keys can be rotated."""
    keys = tuple(getattr(settings, "SPAPI_CREDENTIALS_KEYS", None) or [settings.SECRET_KEY])
    return _cipher(keys)


def encrypt(value: str) -> str:
    return cipher().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("A stored credential cannot be decrypted with the configured keys.") from None


class _SecretAttribute(DeferredAttribute):
    """Whatever is assigned to the attribute is held as a ``Secret``."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value if isinstance(value, Secret) else Secret(value or "")


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; the model attribute is a ``Secret``."""

    descriptor_class = _SecretAttribute

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Secret:
        return Secret(decrypt(value or ""))

    def to_python(self, value: Any) -> Secret:
        if isinstance(value, Secret):
            return value
        return Secret(value or "")

    def get_prep_value(self, value: Any) -> str:
        return encrypt(reveal(value))

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) carries the ciphertext, never the value.
        return self.get_prep_value(self.value_from_object(obj))
