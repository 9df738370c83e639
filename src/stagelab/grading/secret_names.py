"""Which variable names say they hold a secret: read by the no-secrets-in-env check and by hadolint's filter."""

from __future__ import annotations

import re

#: Words that make a variable name a secret (API_KEY, DB_PASSWORD, NPM_TOKEN, AWS_SECRET_ACCESS_KEY…).
SECRET_WORDS = {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIALS", "PRIVATE"}
SECRET_PAIRS = {
    ("API", "KEY"),
    ("ACCESS", "KEY"),
    ("SECRET", "KEY"),
    ("PRIVATE", "KEY"),
    ("AUTH", "KEY"),
    ("CLIENT", "SECRET"),
}
#: Last words that make the variable point at a secret (or describe one) rather than hold it.
NOT_A_SECRET = {
    "FILE",
    "PATH",
    "DIR",
    "URL",
    "URI",
    "ENDPOINT",
    "HEADER",
    "NAME",
    "TTL",
    "EXPIRY",
    "LENGTH",
    "SIZE",
    "TIMEOUT",
    "TYPE",
    "ENABLED",
}


def _words(name: str) -> list[str]:
    """``aws_secret-access.KEY`` → ``["AWS", "SECRET", "ACCESS", "KEY"]``."""
    return [w for w in re.split(r"[_\W]+", name.upper()) if w]


def is_secret_name(name: str) -> bool:
    """The variable's name says it holds a secret (``DB_PASSWORD``, ``NPM_TOKEN``, ``API_KEY``), not where one is."""
    words = _words(name)
    if not words or words[-1] in NOT_A_SECRET:
        return False
    return bool(set(words) & SECRET_WORDS) or any(pair in SECRET_PAIRS for pair in zip(words, words[1:]))


def names_where_a_secret_is(name: str) -> bool:
    """The name would say "secret" but for its last word, which says where one is (``PASSWORD_FILE``, ``TOKEN_URL``)."""
    words = _words(name)
    return len(words) > 1 and words[-1] in NOT_A_SECRET and is_secret_name("_".join(words[:-1]))
