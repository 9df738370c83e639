"""Logging learners in: one token per learner, from a list the instructor hands out.

The list is a tab-separated file (``name``, ``token``, optional ``admin``) that
``stagelab hub learners add`` writes. Each learner signs in with their own name and token,
so nobody can open another learner's server (a shared password would let anyone sign in as
anyone). To use GitHub or another OAuth provider instead, see the instructors' hub page.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from hmac import compare_digest
from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from ..errors import StagelabError

#: Learner names become container and volume names: keep them to what Docker allows everywhere.
NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


@dataclass(frozen=True)
class Learner:
    """One line of the learners file."""

    name: str
    token: str
    admin: bool = False


def read_learners(path: Path) -> dict[str, Learner]:
    """The learners file as ``{name: Learner}`` (missing file: nobody)."""
    found: dict[str, Learner] = {}
    if not path.is_file():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.strip().split("\t")
        if len(fields) >= 2 and not line.startswith("#"):
            found[fields[0]] = Learner(fields[0], fields[1], len(fields) > 2 and fields[2] == "admin")
    return found


def add_learners(path: Path, names: list[str], admin: bool = False) -> list[Learner]:
    """Give each new name a random token and append it to the learners file; returns the new learners."""
    existing = read_learners(path)
    added = []
    for name in names:
        if not NAME.match(name):
            raise StagelabError(
                f"{name!r} is not a usable learner name: lowercase letters, digits and '-', starting with a letter, at most 31."
            )
        if name in existing:
            continue
        learner = Learner(name, secrets.token_urlsafe(12), admin)
        existing[name] = learner
        added.append(learner)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# name\ttoken\t[admin] — written by `stagelab hub learners add`"]
    lines += [f"{l.name}\t{l.token}" + ("\tadmin" if l.admin else "") for l in existing.values()]  # noqa: E741
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return added


class WorkshopAuthenticator(Authenticator):
    """Sign in with your name and the token on your card; only names on the list get in."""

    learners_file = Unicode(config=True, help="The tab-separated learners file (name, token, [admin]).")

    async def authenticate(self, handler, data):
        name = self.normalize_username(data.get("username", ""))
        learner = read_learners(Path(self.learners_file)).get(name)
        if learner is None or not compare_digest(learner.token.encode(), data.get("password", "").encode()):
            return None
        return {"name": name, "admin": learner.admin}

    def check_allowed(self, username, authentication=None):
        return username in read_learners(Path(self.learners_file))
