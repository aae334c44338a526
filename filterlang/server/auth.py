"""API keys: ``Authorization: Bearer <key>``, held and compared as SHA-256 digests.

A key file (``--keys FILE``) or the environment variable ``FILTERLANG_API_KEYS`` holds one
key a line::

    # comment
    k3y-in-clear-at-least-16-chars                  # any organization
    another-key-in-clear-000000000 org-42            # confined to organization org-42
    sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 org-7

Only digests are kept in memory, so a heap dump or a log of the key ring shows no key,
and a key file may hold digests alone (``sha256:<hex>``), so the file itself need not be
secret. A presented key is hashed once and compared with *every* digest through
:func:`hmac.compare_digest`, without stopping at a match, so the time taken says nothing
about which key (or how much of one) matched.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "FILTERLANG_API_KEYS"
MIN_KEY_CHARS = 16  # a shorter key in clear is guessable; digests are taken as given
_HEX64 = re.compile(r"[0-9a-f]{64}")
_COMMENT = re.compile(r"(?:^|\s)#")  # a comment starts the line or follows a space
_TOKEN = re.compile(r"[\x21-\x7e]+")  # visible ASCII, no spaces: what a header carries intact


class KeyFileError(ValueError):
    """A key line that cannot be used: says where (file and line) and why."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One accepted key: its digest and, when confined, the organization it may see."""

    digest: bytes
    organization_id: str | None = None

    @property
    def label(self) -> str:
        """A short, non-secret name for logs: the digest's first 8 hex digits."""
        return self.digest.hex()[:8]


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def _parse_line(text: str, where: str) -> ApiKey | None:
    body = _COMMENT.split(text, maxsplit=1)[0].strip()
    if not body:
        return None
    parts = body.split()
    if len(parts) > 2:
        raise KeyFileError(f"{where}: expected `KEY` or `KEY ORGANIZATION_ID`, found {len(parts)} words")
    key, org = parts[0], (parts[1] if len(parts) == 2 else None)
    if not _TOKEN.fullmatch(key):
        raise KeyFileError(f"{where}: a key is visible ASCII without spaces")
    if org is not None and not _TOKEN.fullmatch(org):
        raise KeyFileError(f"{where}: an organization id is visible ASCII without spaces")
    if key.startswith("sha256:"):
        hexpart = key[len("sha256:") :].lower()
        if not _HEX64.fullmatch(hexpart):
            raise KeyFileError(f"{where}: `sha256:` must be followed by 64 hex digits (the key's SHA-256 digest)")
        return ApiKey(bytes.fromhex(hexpart), org)
    if len(key) < MIN_KEY_CHARS:
        raise KeyFileError(
            f"{where}: a key in clear needs at least {MIN_KEY_CHARS} characters "
            "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return ApiKey(digest(key), org)


class KeyRing:
    """The accepted keys. Empty means: no authentication (the CLI allows that on loopback only)."""

    def __init__(self, keys: Iterable[ApiKey] = ()) -> None:
        by_digest: dict[bytes, ApiKey] = {}
        for k in keys:
            old = by_digest.get(k.digest)
            if old is not None and old.organization_id != k.organization_id:
                raise KeyFileError(
                    f"the key {k.label}… is listed twice with different organizations "
                    f"({old.organization_id or 'none'} and {k.organization_id or 'none'})"
                )
            by_digest[k.digest] = k
        self._keys: tuple[ApiKey, ...] = tuple(by_digest.values())

    def __len__(self) -> int:
        return len(self._keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    @property
    def organizations(self) -> frozenset[str]:
        return frozenset(k.organization_id for k in self._keys if k.organization_id is not None)

    @classmethod
    def from_lines(cls, lines: Iterable[str], *, source: str = "keys") -> KeyRing:
        keys = []
        for n, line in enumerate(lines, 1):
            k = _parse_line(line, f"{source}, line {n}")
            if k is not None:
                keys.append(k)
        return cls(keys)

    @classmethod
    def load(cls, path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> KeyRing:
        """Keys from ``path`` and from ``FILTERLANG_API_KEYS`` in ``environ`` (both, when both are set)."""
        keys: list[ApiKey] = []
        if path is not None:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise KeyFileError(
                    f"cannot read the key file {str(path)!r}: {getattr(e, 'strerror', None) or e}"
                ) from None
            keys.extend(cls.from_lines(text.splitlines(), source=str(path))._keys)
        env_text = (environ or {}).get(ENV_VAR)
        if env_text:
            keys.extend(cls.from_lines(env_text.splitlines(), source=ENV_VAR)._keys)
        return cls(keys)

    def lookup(self, presented: str) -> ApiKey | None:
        """The key ``presented`` is, or None; constant time in which key matched."""
        d = digest(presented)
        found: ApiKey | None = None
        for k in self._keys:
            if hmac.compare_digest(d, k.digest):
                found = k
        return found


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive)."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token
