"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash of `password`, salted, as stored."""
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash."""
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the stored hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored)


@cache
def dummy_hash() -> str:
    """Verified against when the name is unknown, so that a sign-in takes as long either way."""
    return hash_password("ipflow-no-such-user")
