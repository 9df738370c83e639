"""Say which instruction failed a build, on which line, and why — in the engine's own words when there is no log.

BuildKit names the failing step (``[stage-1 2/2] COPY --from=build / /``) and gives
an error; :class:`stagelab.engine.BuildFailed` carries both, with the step's log
lines when it printed any. Only a ``RUN`` prints output; a failing ``COPY`` or
``ADD`` has no log, and "read the last log lines" would point at nothing. This
module turns a failure into the message and hint a learner can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Engine-internal paths in BuildKit errors: the learner's path is what follows them.
_ENGINE_PATHS = re.compile(
    r"/var/lib/docker/(?:overlay2|buildkit)/[^\s]*?/(?:merged|diff|fs)(?=/)|/var/lib/docker/tmp/[^\s/]+"
)
_REPLACE = re.compile(r"cannot replace to directory (\S+) with file|cannot replace to file (\S+) with directory")


@dataclass(frozen=True)
class Explained:
    """A build failure, explained: the report's message, the hint, and the engine's own words."""

    message: str
    hint: str | None
    engine_error: str


def engine_words(reason: str) -> str:
    """The engine's error without its internal paths and the ``failed to solve:`` prefix."""
    text = _ENGINE_PATHS.sub("", reason or "").strip()
    text = re.sub(r"^(ERROR:\s*)?failed to solve:\s*", "", text)
    # "failed to compute cache key: failed to calculate checksum of ref <id>: "/x": not found" -> "/x": not found
    text = re.sub(r"^failed to compute cache key: failed to calculate checksum of ref \S+?: ", "", text)
    return text


def explain(failure, stage_names: tuple[str, ...] = ()) -> Explained:
    """The message and hint for a :class:`~stagelab.engine.BuildFailed` of a learner's build.

    ``stage_names`` are the Dockerfile's stage names (``AS …``), to tell a mistyped
    ``COPY --from=`` from an image that is not there.
    """
    cause = str(getattr(failure.cause, "value", failure.cause))
    instruction = failure.instruction or ""
    keyword = instruction.split(" ", 1)[0].upper() if instruction else ""
    words = engine_words(failure.reason)
    where = f"line {failure.line}: " if failure.line else ""
    what = f"`{instruction[:100]}` failed" if instruction else "the build failed"
    has_log = any(line.strip() for line in failure.log_tail or ())
    message = f"{where}{what}: {words}" if words and words != instruction else f"{where}{what}"
    hint: str | None = None
    if cause in ("syntax", "timeout", "output-limit"):
        hint = failure.hint
    elif keyword == "RUN" and any(
        re.search(r'exec: "?/bin/sh"?: .*no such file', line) for line in failure.log_tail or ()
    ):
        hint = (
            f"The RUN on line {failure.line} needs /bin/sh, and the stage it runs in has none (distroless, "
            "scratch). Do that work in a build stage that has a shell, and copy the result into this one."
        )
    elif keyword == "RUN":
        hint = (
            f"The RUN on line {failure.line} exited with an error: its last output lines above say why."
            if has_log
            else f"The RUN on line {failure.line} failed before printing anything. The engine said: {words}"
        )
    elif keyword in ("COPY", "ADD"):
        replaced = _REPLACE.search(words)
        source = re.search(r"--from=(\S+)", instruction)
        names = {name.lower() for name in stage_names}
        if (
            source
            and names
            and source.group(1).lower() not in names
            and not source.group(1).isdigit()
            and re.search(r"failed to resolve source metadata|pull access denied|not found", words)
        ):
            hint = (
                f"`--from={source.group(1)}` on line {failure.line} is not a stage of this Dockerfile "
                f"({', '.join(sorted(stage_names))}), so BuildKit looked for an image of that name. Use the name "
                "given with AS on the stage's FROM line."
            )
        elif replaced:
            path = replaced.group(1) or replaced.group(2)
            hint = (
                f"{keyword} on line {failure.line} puts a file where the final image has a directory (or the other way "
                f"round) at {path}. Copying a whole file system (`COPY --from=build / /`) over another image "
                "clashes like this: copy only what the app needs, e.g. `COPY --from=build /app /app`."
            )
        elif cause == "missing-file":
            hint = (
                f"{keyword} on line {failure.line} names a path that is not in the build context (paths are "
                "relative to it, and .dockerignore may exclude them); with --from, the path is in that stage's "
                f"file system. The engine said: {words}"
            )
        else:
            hint = f"{keyword} on line {failure.line} failed. The engine said: {words}"
    elif keyword == "FROM" or cause == "base-image":
        hint = failure.hint
    elif instruction:
        hint = f"{keyword or 'The instruction'} on line {failure.line} failed. The engine said: {words}"
    else:
        hint = failure.hint if cause != "command" else f"The engine said: {words}"
    return Explained(message, hint, words)
