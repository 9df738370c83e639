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
    """``/usr/bin/apt-get`` → ``apt-get``; ``xx-apk`` (tonistiigi/xx's wrapper) → ``apk``."""
    name = word.rsplit("/", 1)[-1]
    return name[3:] if name.startswith("xx-") else name


def runs_verb(command: list[str], programs: tuple[str, ...], verb: str) -> bool:
    """The command runs one of ``programs`` with ``verb`` among its later words (``apt-get -y install``)."""
    seen = False
    for word in command:
        if not seen:
            seen = program(word) in programs
        elif word == verb:
            return True
    return False


def removes_any(command: list[str], folders: tuple[str, ...]) -> bool:
    """The command is ``rm`` of one of the folders or of files in it, whatever its flags and quotes
    (``rm -rf /var/lib/apt/lists/*``, ``rm -f /var/lib/apt/lists/*_*``, ``rm -r -- "/var/cache/apk"``)."""
    if not command or program(command[0]) != "rm":
        return False
    return any(word.strip("\"'").startswith(folders) for word in command[1:])
