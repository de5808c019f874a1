"""Bearer tokens and their roles, held hashed.

A token is a random secret (:func:`new_token`, 256 bits from :mod:`secrets`) that a force system
sends as ``Authorization: Bearer <token>``. The server keeps only its SHA-256 digest, a name for
the system that holds it and its roles, one token a line::

    # sha256 of the token                                            name         roles
    9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 case-system  match,book

from a file (``pathways serve --tokens FILE``) or the same text in the environment variable
``PATHWAYS_TOKENS``. A plain digest is enough for secrets of this strength (a slow password hash
protects guessable passwords, not 256 random bits); digests are compared in constant time.

Roles: ``match`` (``POST /match``, ``POST /match/batch``), ``book`` (``POST /bookings``),
``capacity`` (``GET /capacity``).

>>> token = new_token()
>>> store = TokenStore.parse(token_line(token, "case-system", ("match", "book")))
>>> store.identify(token).name, sorted(store.identify(token).roles)
('case-system', ['book', 'match'])
>>> store.identify("guess") is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from directory.dumping import write_atomic
from directory.errors import InvalidArgumentError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

__all__ = [
    "ROLES",
    "Identity",
    "TokenStore",
    "add_token",
    "digest",
    "new_token",
    "token_line",
]

#: The roles a token may hold.
ROLES = ("match", "book", "capacity")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def new_token() -> str:
    """A new random token: 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The SHA-256 hex digest of a token, as the token file holds it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_roles(roles: Iterable[str]) -> frozenset[str]:
    found = frozenset(r.strip() for r in roles if r.strip())
    unknown = sorted(found - set(ROLES))
    if unknown:
        raise InvalidArgumentError(
            f"unknown role {', '.join(map(repr, unknown))}; roles are {', '.join(ROLES)}"
        )
    if not found:
        raise InvalidArgumentError(f"a token needs at least one role of {', '.join(ROLES)}")
    return found


def token_line(token: str, name: str, roles: Iterable[str]) -> str:
    """The line a token file holds for ``token``: its digest, the name, the roles."""
    if not _NAME.fullmatch(name):
        raise InvalidArgumentError(
            f"token name {name!r}: 1-64 letters, digits, '.', '_' or '-', no spaces"
        )
    return f"{digest(token)} {name} {','.join(sorted(_check_roles(roles)))}\n"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a token belongs to and what it may do."""

    name: str
    roles: frozenset[str]


class TokenStore:
    """Token digests and the identities they stand for (see the module notes)."""

    def __init__(self, entries: dict[str, Identity]) -> None:
        self._entries = dict(entries)

    @classmethod
    def parse(cls, text: str, *, source: str = "PATHWAYS_TOKENS") -> TokenStore:
        """Read a token file's text; a bad line raises with its line number and a hint."""
        entries: dict[str, Identity] = {}
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 3 or not _DIGEST.fullmatch(parts[0]) or not _NAME.fullmatch(parts[1]):
                raise InvalidArgumentError(
                    f"{source}:{number}: expected 'SHA256-HEX NAME ROLE[,ROLE]'; "
                    "add tokens with `pathways token add`"
                )
            try:
                roles = _check_roles(parts[2].split(","))
            except InvalidArgumentError as err:
                raise InvalidArgumentError(f"{source}:{number}: {err}") from None
            entries[parts[0]] = Identity(parts[1], roles)
        return cls(entries)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TokenStore:
        """Read a token file (a missing file is an error: a server with no tokens says so)."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as err:
            raise InvalidArgumentError(f"cannot read the token file {file}: {err}") from None
        return cls.parse(text, source=str(file))

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> tuple[str, ...]:
        """The names of the tokens held, in file order."""
        return tuple(i.name for i in self._entries.values())

    def identify(self, token: str) -> Identity | None:
        """The identity of ``token``, or None; constant time in the token's digest."""
        wanted = digest(token)
        found = None
        for known, identity in self._entries.items():
            if hmac.compare_digest(known, wanted):
                found = identity
        return found


def add_token(path: str | os.PathLike[str], name: str, roles: Iterable[str]) -> str:
    """Make a new token for ``name`` with ``roles``, append its digest to the token file
    (created when missing, written atomically) and return the token, which is kept nowhere.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = pathlib.Path(tmp) / "tokens"
    ...     token = add_token(file, "case-system", ["match"])
    ...     TokenStore.load(file).identify(token).name, token in file.read_text()
    ('case-system', False)
    """
    file = Path(path)
    old = file.read_text(encoding="utf-8") if file.exists() else ""
    store = TokenStore.parse(old, source=str(file))  # refuse to append to a broken file
    if name in store.names():
        raise InvalidArgumentError(f"{file} already has a token named {name!r}")
    token = new_token()
    line = token_line(token, name, roles)
    if old and not old.endswith("\n"):
        old += "\n"
    write_atomic(file, old + line)
    return token
