"""Precise diagnoses for the usual Dockerfile mistakes, which BuildKit reports vaguely or not at all.

BuildKit's parser accepts a comment after an instruction (``FROM node:18 AS b  # base``)
and hands ``#``, ``base`` to FROM as extra arguments; it lets a comment after a ``\\``
end a RUN so the next line becomes an "unknown instruction"; and it silently joins
an instruction into a RUN whose last line ends in ``\\``. Each :class:`Diagnosis`
names the line and says what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dockerfile import Dockerfile, Instruction

KNOWN_INSTRUCTIONS = (
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
)  # fmt: skip

#: Instructions whose shell form goes through a shell, where `# ...` is a shell comment.
_SHELL_FORM = {"RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK", "ONBUILD"}


@dataclass(frozen=True)
class Diagnosis:
    """One problem: where, what, and how to fix it."""

    line: int | None
    message: str
    hint: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


INLINE_COMMENT_HINT = (
    "Dockerfiles have no inline comments: move the comment to its own line above the instruction "
    "(a line that starts with #)."
)
CONTINUATION_HINT = (
    "A line ending in \\ continues on the next line. Nothing may follow the \\ on its line — put comments "
    "on their own line before the instruction — and end the last line of the instruction without \\."
)


def _inline_comment_at(text: str) -> int | None:
    """Index of a `#` preceded by whitespace outside quotes (an inline comment), else None."""
    quote: str | None = None
    previous = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote and previous != "\\":
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" and previous in (" ", "\t"):
            return index
        previous = char
    return None


def _heredoc_body_lines(instructions: tuple[Instruction, ...]) -> set[int]:
    lines: set[int] = set()
    for instruction in instructions:
        if instruction.heredocs:
            lines.update(range(instruction.start_line + 1, instruction.end_line + 1))
    return lines


def diagnose(model: Dockerfile) -> list[Diagnosis]:
    """The usual mistakes in a Dockerfile BuildKit's parser accepted (empty list when clean)."""
    escape = model.directives.get("escape", "\\")
    lines = model.text.splitlines()
    heredoc_lines = _heredoc_body_lines(model.instructions)
    found: list[Diagnosis] = []
    seen_lines: set[int] = set()

    def add(line: int, message: str, hint: str) -> None:
        if line not in seen_lines:
            seen_lines.add(line)
            found.append(Diagnosis(line, message, hint))

    comment_after_backslash = re.compile(re.escape(escape) + r"[ \t]+#")
    for instruction in model.instructions:
        keyword = instruction.keyword
        physical = range(instruction.start_line, instruction.end_line + 1)
        # A comment after the continuation character ends the instruction there.
        for number in physical:
            if number in heredoc_lines or number > len(lines):
                continue
            text = lines[number - 1]
            if comment_after_backslash.search(text):
                add(
                    number,
                    f"a comment follows the line-continuation {escape} on this line, so the {escape} no longer "
                    f"continues the line: {keyword} ends here and line {number + 1} is read as a new instruction",
                    CONTINUATION_HINT,
                )
        if keyword not in KNOWN_INSTRUCTIONS:
            previous = instruction.start_line - 1
            if previous in seen_lines:
                continue  # already explained by the broken continuation on the line before
            word = keyword.lower() if not instruction.original.split()[0].isupper() else keyword
            import difflib  # only for an unknown instruction

            close = difflib.get_close_matches(keyword, KNOWN_INSTRUCTIONS, n=1, cutoff=0.6)
            suggestion = f" — did you mean {close[0]}?" if close else ""
            add(
                instruction.start_line,
                f"unknown instruction '{instruction.original.split()[0] if instruction.original.split() else word}'{suggestion}",
                "Each line starts with an instruction (FROM, RUN, COPY, WORKDIR, CMD…) unless the line before "
                f"ends with {escape}. If this line belongs to the command above, end that line with {escape} "
                "(and nothing after it).",
            )
            continue
        # A continued instruction that swallowed the next instruction.
        for number in physical:
            if number == instruction.start_line or number in heredoc_lines or number > len(lines):
                continue
            first_word = lines[number - 1].split()[:1]
            if first_word and first_word[0] in KNOWN_INSTRUCTIONS and first_word[0] != "AS":
                add(
                    number,
                    f"'{first_word[0]}' on line {number} became part of the {keyword} that starts on line "
                    f"{instruction.start_line}, because the line before it ends with {escape}",
                    "Remove the trailing " + escape + " from the last line of the " + keyword + " (comment and "
                    "empty lines do not end a continued instruction).",
                )
        # Inline comments: `#` after whitespace, outside quotes, in an instruction that has no shell.
        shell_form = keyword in _SHELL_FORM and not instruction.json_form
        if not shell_form and not instruction.heredocs:
            for number in physical:
                if number > len(lines):
                    continue
                text = lines[number - 1]
                if text.lstrip().startswith("#"):
                    continue
                column = _inline_comment_at(text)
                if column is not None:
                    add(
                        number,
                        f"{keyword} has an inline comment ('{text[column:].strip()[:40]}'): BuildKit reads it as more "
                        f"arguments to {keyword}",
                        INLINE_COMMENT_HINT,
                    )
                    break
        if keyword == "FROM":
            words = instruction.arguments
            if instruction.start_line not in seen_lines and not (
                len(words) == 1 or (len(words) == 3 and words[1].lower() == "as")
            ):
                add(
                    instruction.start_line,
                    f"FROM takes an image and optionally 'AS name'; here it has {len(words)} words: {' '.join(words)}"
                    if words
                    else "FROM names no image",
                    "Write `FROM image:tag` or `FROM image:tag AS name`.",
                )
        elif keyword == "ENV" and len(instruction.arguments) == 2 and instruction.arguments[1].startswith("="):
            # `ENV K = v` is the old one-variable form `ENV K <value>`: K is set to "= v".
            name, value = instruction.arguments
            add(
                instruction.start_line,
                f"ENV {name} {value} sets {name} to '{value}' (spaces around = make it the old `ENV name value` form)",
                f"Write `ENV {name}={value.lstrip('= ').strip()}`, with no spaces around =.",
            )
        elif not instruction.heredocs and not any(a.strip() for a in instruction.arguments):
            add(instruction.start_line, f"{keyword} has nothing after it", f"Give {keyword} its arguments.")
    # A continuation with nothing after it at the end of the file.
    content = [(n, l) for n, l in enumerate(lines, 1) if l.strip() and not l.lstrip().startswith("#")]
    if content and content[-1][1].rstrip().endswith(escape) and content[-1][0] not in heredoc_lines:
        number = content[-1][0]
        add(number, f"the last instruction ends with {escape}: it continues into nothing", CONTINUATION_HINT)
    found.sort(key=lambda d: d.line or 0)
    return found
