"""Write tokens for the Graph Store Protocol: made by ``stadtgraph token NAME``, kept in the configuration
only as sha256 digests (``tokens`` setting, several named tokens), checked in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from graph.errors import Unauthorized
from graph.settings import Settings

CHALLENGE = 'Bearer realm="stadtgraph"'


def digest(token: str) -> str:
    """The sha256 hex digest of a token, as the ``tokens`` setting holds it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(name: str) -> tuple[str, str]:
    """A fresh random token and the configuration entry (``name=digest``) that admits it.

    >>> token, entry = new_token("amt61")
    >>> entry == f"amt61={digest(token)}"
    True
    """
    if not name or any(c in name for c in ",= \t\n"):
        raise ValueError("token name must be non-empty, without ',', '=' or spaces")
    token = secrets.token_urlsafe(32)
    return token, f"{name}={digest(token)}"


def authenticate(settings: Settings, authorization: str | None) -> str:
    """The name of the token in an ``Authorization: Bearer …`` header.

    Every configured digest is compared (in constant time), so the answer takes as long whichever
    token matched. :raises Unauthorized: (401, with ``WWW-Authenticate``) if no token matches.
    """
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("Schreiben braucht ein Token (Authorization: Bearer …) / writing needs a bearer token",
                            CHALLENGE)
    given = digest(token)
    found = ""
    for name, expected in sorted(settings.tokens.items()):
        if hmac.compare_digest(given, str(expected).strip().lower()) and not found:
            found = name
    if not found:
        raise _unauthorized("Token unbekannt / unknown token", f'{CHALLENGE}, error="invalid_token"')
    return found


def _unauthorized(detail: str, challenge: str) -> Unauthorized:
    exc = Unauthorized(detail)
    exc.headers = {"WWW-Authenticate": challenge}  # type: ignore[attr-defined]
    return exc
