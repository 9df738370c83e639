"""A RUN's shell script read as simple commands and their words, for the checks that look for a command in it.

Not a shell parser: quotes and expansions are left as they are. Word lists rather than
regular expressions over the whole script, so that a check takes time linear in the
length of a RUN, whatever a hostile one holds.
"""

from __future__ import annotations

import re


def simple_commands(script: str) -> list[list[str]]:
    r"""The shell script's simple commands, each as its words (split at ``;``, ``&``, ``|``, newlines, parentheses).

    Word lists rather than one regular expression over the script: a pattern such as
    ``apt\s+(\S+\s+)*?install`` takes time quadratic in a long RUN that never says ``install``.
    """
    return [command.split() for command in re.split(r"[;&|\n()]+", script)]


def program(word: str) -> str:
    """``/usr/bin/apt-get`` → ``apt-get``; ``xx-apk`` (tonistiigi/xx's wrapper) → ``apk``; ``"apt-get`` → ``apt-get``."""
    name = word.strip("\"'").rsplit("/", 1)[-1]
    return name[3:] if name.startswith("xx-") else name


#: Words before the program a command runs: ``sudo apt-get``, ``env X=1 apk``, ``sh -c "apt-get …"``.
_PREFIXES = {"sudo", "env", "exec", "nice", "nohup", "time", "command", "eatmydata", "sh", "bash", "ash", "dash"}


def _program_at(command: list[str]) -> int | None:
    """Where the program the command runs is: after prefixes, their options and ``VAR=value`` assignments."""
    for index, word in enumerate(command):
        name = word.strip("\"'")
        if program(name) in _PREFIXES or name.startswith("-") or _is_assignment(name):
            continue
        return index
    return None


def _is_assignment(word: str) -> bool:
    name, equals, _ = word.partition("=")
    return bool(equals) and name.isidentifier()


def runs_verb(command: list[str], programs: tuple[str, ...], verb: str) -> bool:
    """The command runs one of ``programs`` with ``verb`` among its later words (``apt-get -y install``)."""
    at = _program_at(command)
    if at is None or program(command[at]) not in programs:
        return False
    return any(word.strip("\"'") == verb for word in command[at + 1 :])


def removes_any(command: list[str], folders: tuple[str, ...]) -> bool:
    """The command is ``rm`` of one of the folders or of files in it, whatever its flags and quotes
    (``rm -rf /var/lib/apt/lists/*``, ``rm -f /var/lib/apt/lists/*_*``, ``sudo rm -r -- "/var/cache/apk"``)."""
    at = _program_at(command)
    if at is None or program(command[at]) != "rm":
        return False
    return any(word.strip("\"'").startswith(folders) for word in command[at + 1 :])
