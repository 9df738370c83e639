"""Static checks: read the Dockerfile (and the context's .dockerignore), no engine needed."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

from ...dockerfile.model import substitute_args
from ...dockerfile.shell_words import removes_any, runs_verb, simple_commands
from ..hadolint import HadolintMissing, lint
from ..results import Problem
from ..secret_names import is_secret_name
from .base import LintUse, Outcome, Param, Params, Phase, SkipCheck, chapter, check, failed, passed

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `stagelab lint` must start fast
if TYPE_CHECKING:
    from ..subject import Subject

STATIC = dict(family="dockerfile", phase=Phase.STATIC)


def _norm_ref(reference: str) -> str:
    """``docker.io/library/node:24`` → ``node:24`` (how learners and allow-lists write it)."""
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/"):
        if reference.startswith(prefix):
            return reference[len(prefix) :]
    return reference


def _is_distroless(reference: str) -> bool:
    return "distroless" in reference


def _split_reference(reference: str) -> tuple[str, str]:
    """``gcr.io/distroless/static:nonroot@sha256:…`` → (``gcr.io/distroless/static``, ``nonroot``)."""
    without_digest = reference.split("@", 1)[0]
    repository, _, last = without_digest.rpartition("/")
    name, _, tag = last.partition(":")
    return (f"{repository}/{name}" if repository else name), tag


def _tag_words(tag: str) -> list[str]:
    """``debug-nonroot-amd64`` → ``["debug", "nonroot", "amd64"]``."""
    return re.split(r"[-_.]", tag.lower())


#: Chainguard images that run as root (every other one sets a non-root user, and has no shell unless ``-dev``).
_CHAINGUARD_ROOT = {"cgr.dev/chainguard/wolfi-base", "cgr.dev/chainguard/chainguard-base", "cgr.dev/chainguard/busybox"}


def _is_chiseled(tag: str) -> bool:
    """Ubuntu's chiseled images (``mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled``): no shell, no package manager."""
    return any(word in ("chiseled", "chiselled") for word in _tag_words(tag))


def _is_shell_less(reference: str) -> bool:
    """scratch, a distroless image other than its ``:debug`` variants (which add busybox), a chiseled
    image, or a Chainguard image other than its ``-dev`` variants."""
    name, tag = _split_reference(_norm_ref(reference))
    name = name.lower()
    if name.startswith("cgr.dev/chainguard/"):
        return name not in _CHAINGUARD_ROOT and "dev" not in _tag_words(tag)
    return name == "scratch" or (_is_distroless(name) and "debug" not in tag) or _is_chiseled(tag)


def _default_user(reference: str) -> str | None:
    """The non-root user an image runs as when no USER says otherwise; None: root (or unknown, taken as root)."""
    name, tag = _split_reference(_norm_ref(reference))
    name = name.lower()
    if "nonroot" in _tag_words(tag):  # distroless `:nonroot`, `:debug-nonroot`, `:nonroot-amd64`, `:latest-nonroot`
        return "nonroot (65532)"
    if name.startswith("mcr.microsoft.com/dotnet/") and _is_chiseled(tag):
        return "app (1654)"
    if name.startswith("cgr.dev/chainguard/") and name not in _CHAINGUARD_ROOT:
        return "its non-root user (65532)"
    if name == "nginxinc/nginx-unprivileged":
        return "nginx (101)"
    return None


@check(
    id="dockerfile.parses",
    title="The Dockerfile parses",
    **STATIC,
    what="Reads the Dockerfile with BuildKit's own parser and looks for the mistakes it lets through: "
    "inline comments after an instruction, a broken line continuation, an unknown instruction.",
    why="Nothing else can be checked, and nothing builds, until the Dockerfile says what you mean. "
    "BuildKit accepts `FROM node:18 AS builder  # base` and then fails with a puzzling message about arguments.",
    fix="Put comments on their own line. End a continued line with `\\` and nothing after it.",
    before="""
        FROM node:24 AS builder   # build stage
        RUN npm ci && \\   # install
            npm run build
        """,
    after="""
        # build stage
        FROM node:24 AS builder
        # install, then build
        RUN npm ci && \\
            npm run build
        """,
    chapter=chapter("single", "the-seed-example-built-as-written"),
    lint=LintUse(order=1),
)
def parses(subject: Subject, params: Params) -> Outcome:
    if subject.parse_error is not None:
        error = subject.parse_error
        where = f"line {error.line}: " if error.line else ""
        hint = getattr(error, "hint", None) or "Fix the line the message names."
        return failed(f"{where}{error.reason}", hint, line=error.line)
    if subject.diagnoses:
        first = subject.diagnoses[0]
        more = f" (and {len(subject.diagnoses) - 1} more problem(s))" if len(subject.diagnoses) > 1 else ""
        return failed(
            f"{first}{more}",
            first.hint,
            problems=[Problem(d.message, d.line, d.hint) for d in subject.diagnoses],
        )
    model = subject.model
    return passed(f"{len(model.instructions)} instructions in {len(model.stages)} stage(s)")


#: A RUN that builds or installs build-time dependencies: what must stay out of the final image.
_BUILD_STEP = re.compile(
    r"\b(go (build|install|mod download|generate)|cargo (build|install|fetch)|rustc|gcc|g\+\+|clang|make\b|cmake"
    r"|mvn|mvnw|gradle|gradlew|javac|dotnet (build|publish|restore)|npm (ci|install|i|run)\b|yarn|pnpm"
    r"|pip3? install|poetry install|uv (sync|pip)|tsc\b|bundle install|composer install)"
)


#: An install of production dependencies only (`npm ci --omit=dev`, `composer install --no-dev`): a stage
#: that does only that is the runtime's dependencies, which a final stage may be built on, not a builder.
_PRODUCTION_ONLY = re.compile(
    r"--omit[= ]dev\b|--only[= ]prod(uction)?\b|--production\b|--prod\b|--no-dev\b|--only[= ]main\b|--without[= ]dev\b"
)
_DEPENDENCY_INSTALL = re.compile(
    r"\b(npm (ci|install|i)|yarn( install)?|pnpm (install|i)|composer install|poetry install|uv sync)\b"
)


def _build_step(stage, production_installs: bool = False) -> object | None:
    """The stage's first RUN that compiles, builds or installs development dependencies; None: none does.

    ``production_installs``: an install of production dependencies only counts too.
    """
    for instruction in stage.instructions:
        if instruction.keyword != "RUN":
            continue
        for command in simple_commands(instruction.script):
            text = " ".join(command)
            if not _BUILD_STEP.search(text):
                continue
            if not production_installs and _DEPENDENCY_INSTALL.search(text) and _PRODUCTION_ONLY.search(text):
                continue  # production dependencies only: what the runtime needs
            return instruction
    return None


@check(
    id="dockerfile.multi-stage",
    title="Builds in one stage, ships from another",
    **STATIC,
    what="The final stage takes something from an earlier stage (`COPY --from=` or `FROM <stage>`), and is not "
    "built `FROM` a stage that compiles or installs (that would ship the whole builder). A single stage on "
    "`scratch` or distroless passes: it has no build tools to leave behind. In `stagelab lint` (not in a lab, "
    "whose app must be built in the Dockerfile) so does a single stage that builds nothing: it copies in "
    "what was built elsewhere, as goreleaser's Dockerfiles do.",
    why="Build tools (compilers, npm, dev dependencies) stay in the build stage; only the result ships. "
    "Two FROM lines are not enough: the final stage must use what the first one built, and start from a "
    "clean base rather than from the builder.",
    fix="Name the build stage and copy only its output into a clean final stage.",
    before="""
        FROM node:24
        COPY . .
        RUN npm ci
        CMD ["node", "server.js"]
        """,
    after="""
        FROM node:24 AS build
        WORKDIR /app
        COPY . .
        RUN npm ci --omit=dev

        FROM gcr.io/distroless/nodejs24-debian13
        COPY --from=build /app /app
        CMD ["/app/server.js"]
        """,
    chapter=chapter("multi", "the-node-app-in-stages"),
    params=(
        Param(
            "single_stage_may_build_nothing",
            False,
            "pass a single stage that compiles nothing and installs no dependencies (copies a binary built elsewhere)",
            (bool,),
        ),
    ),
    lint=LintUse(order=2, params={"single_stage_may_build_nothing": True}),
)
def multi_stage(subject: Subject, params: Params) -> Outcome:
    model = subject.require_model()
    final = subject.target_stage()
    chain = subject.base_chain(final)
    for ancestor in chain[1:]:
        step = _build_step(ancestor)
        if step is not None:
            return failed(
                f"line {final.from_instruction.start_line}: the final stage is built FROM {ancestor.ref}, which runs "
                f"`{step.text[:60]}` (line {step.start_line}): the whole build stage — tools, sources, caches — ships",
                f"Start the final stage from a clean base (e.g. distroless) and copy only the build output: "
                f"`COPY --from={ancestor.ref} <path> <path>`.",
                line=final.from_instruction.start_line,
            )
    needed = model.needed_stages(subject.target)
    if len(model.stages) < 2:
        base = subject.final_base_image()
        if _is_shell_less(base):
            return passed(f"one stage on {_norm_ref(base)}: it has no build tools to ship")
        if params["single_stage_may_build_nothing"] and _build_step(final, production_installs=True) is None:
            return passed("one stage that builds nothing (it copies in what was built elsewhere): no build tools ship")
        return failed(
            "there is only one stage (one FROM): build tools ship in the final image",
            "Build in a named stage and copy only the result into a clean final stage (`COPY --from=build …`).",
        )
    if len(needed) < 2:
        unused = ", ".join(s.ref for s in model.stages if s is not final)
        return failed(
            f"the final stage uses nothing from the other stage(s) ({unused}): BuildKit skips them",
            "Copy the build output into the final stage with `COPY --from=<stage name> <path> <path>`.",
        )
    return passed(f"the final stage ({final.ref}) builds on {', '.join(s.ref for s in needed if s is not final)}")


@check(
    id="dockerfile.final-base",
    title="The final image starts from an allowed base",
    **STATIC,
    what="The base image of the final stage (following `FROM <stage>`) matches one of the lab's allowed patterns.",
    why="The final base decides what ships besides your app: a full distribution brings a shell, a package "
    "manager and hundreds of packages; distroless or scratch bring only the runtime.",
    fix="Change the `FROM` of the final stage to one of the allowed bases.",
    before="""
        FROM node:24-trixie
        COPY --from=build /app /app
        """,
    after="""
        FROM gcr.io/distroless/nodejs24-debian13
        COPY --from=build /app /app
        """,
    chapter=chapter("distroless", "the-family"),
    params=(Param("allowed", ["gcr.io/distroless/*", "scratch"], "glob patterns of allowed references", (list,)),),
)
def final_base(subject: Subject, params: Params) -> Outcome:
    base = _norm_ref(subject.final_base_image())
    allowed = [str(p) for p in params["allowed"]]
    for pattern in allowed:
        if fnmatch.fnmatchcase(base, pattern) or fnmatch.fnmatchcase(base, _norm_ref(pattern)):
            return passed(f"final base {base} is allowed")
    return failed(
        f"the final stage starts from {base}; this lab allows: {', '.join(allowed)}",
        f"Change the final stage's FROM to one of: {', '.join(allowed)}.",
        base=base,
    )


_IMAGE_LIKE = re.compile(r"[:/@]")


@check(
    id="dockerfile.copy-from-defined",
    title="COPY --from names a stage defined above",
    **STATIC,
    what="Every `COPY --from=X` (and `RUN --mount=from=X`) names a stage defined earlier in the file, "
    "or an image reference with a registry, tag or digest.",
    why="A name that is not a stage is taken as an image: BuildKit tries to pull `docker.io/library/X:latest` "
    "and fails with an unrelated-looking 'pull access denied'.",
    fix="Use the exact name given with `AS` on the stage's FROM line (names are case-insensitive).",
    before="""
        FROM golang:1.27 AS builder
        FROM gcr.io/distroless/static-debian13
        COPY --from=build /out/app /app
        """,
    after="""
        FROM golang:1.27 AS builder
        FROM gcr.io/distroless/static-debian13
        COPY --from=builder /out/app /app
        """,
    chapter=chapter("multi", "the-node-app-in-stages"),
    lint=LintUse(order=3),
)
def copy_from_defined(subject: Subject, params: Params) -> Outcome:
    model = subject.require_model()
    problems = []
    names: list[str] = []  # the stages above the current one (grown as we go: linear in the stages)
    for stage in model.stages:
        if stage.index > 0 and model.stages[stage.index - 1].name:
            names.append(model.stages[stage.index - 1].name)
        for instruction in stage.instructions:
            sources = []
            source = instruction.flag("from")
            if instruction.keyword in ("COPY", "ADD") and source:
                sources.append(source)
            if instruction.keyword == "RUN":
                for mount in instruction.flag_values("mount"):
                    match = re.search(r"(?:^|,)from=([^,]+)", mount)
                    if match:
                        sources.append(match.group(1))
            for ref in sources:
                found = model.stage(ref)
                if found is not None and found.index < stage.index:
                    continue
                if found is not None:
                    problems.append(
                        (
                            instruction.start_line,
                            f"stage '{ref}' is defined after this stage (line {found.from_instruction.start_line}): a stage can only copy from stages above it",
                        )
                    )
                elif not _IMAGE_LIKE.search(ref) and not ref.isdigit():
                    import difflib  # only for a --from that names no stage

                    close = difflib.get_close_matches(ref.lower(), [n.lower() for n in names], n=1, cutoff=0.4)
                    suggestion = f" — did you mean '{close[0]}'?" if close else ""
                    defined = ", ".join(names) or "none (add `AS name` to a FROM line)"
                    problems.append(
                        (
                            instruction.start_line,
                            f"--from={ref} names no stage (stages defined above: {defined}){suggestion}",
                        )
                    )
                elif ref.isdigit():
                    problems.append(
                        (instruction.start_line, f"--from={ref}: there is no stage number {ref} above this line")
                    )
    if problems:
        line, message = problems[0]
        return failed(f"line {line}: {message}", None, problems=[Problem(m, l) for l, m in problems])
    return passed("every --from names a stage defined above")


#: Distroless images whose ENTRYPOINT already starts the runtime: (image pattern, the runtime's program
#: names, the ENTRYPOINT, the images as a learner writes them, the CMD to write instead).
_RUNTIME_ENTRYPOINTS = (
    (r"distroless/nodejs", r"node(js)?", "node", "gcr.io/distroless/nodejs*", 'CMD ["server.js"]'),
    (r"distroless/python", r"python[23]?(\.\d+)?", "python3", "gcr.io/distroless/python3*", 'CMD ["app.py"]'),
    (r"distroless/java", r"java", "java -jar", "gcr.io/distroless/java*", 'CMD ["app.jar"]'),
)
_SHELLS = ("sh", "bash", "ash", "dash", "zsh")


def _starts_a_shell(instruction) -> bool:
    """``["sh", "-c", "…"]``: a shell runs the command (and stays as PID 1 unless the command starts with exec)."""
    words = list(instruction.arguments)
    if len(words) < 2 or Path(words[0]).name not in _SHELLS or not words[1].startswith("-") or "c" not in words[1]:
        return False
    script = words[2] if len(words) > 2 else ""
    return not script.lstrip().startswith("exec ")


@check(
    id="dockerfile.exec-form",
    title="CMD and ENTRYPOINT use the exec (JSON) form",
    **STATIC,
    what="The final stage's effective `CMD` and `ENTRYPOINT` are JSON arrays, not shell strings, and do not "
    "wrap the app in `sh -c`; on the distroless Node.js, Python and Java images, `CMD` does not repeat the "
    "runtime (their ENTRYPOINT starts it already). On a base without a shell, its `HEALTHCHECK` is in exec "
    "form too and does not run a tool the base lacks (`curl`, `wget`) unless a COPY brings it.",
    why='Shell form runs `/bin/sh -c "..."`: distroless has no /bin/sh, so the container cannot start. '
    "Elsewhere the shell becomes PID 1 and does not pass SIGTERM on, so `docker stop` waits 10 s and kills the app. "
    '`["sh", "-c", …]` is the same shell, written as JSON.',
    fix="Write the command as a JSON array with double quotes that starts the program itself.",
    before="""
        FROM node:24-trixie-slim
        COPY server.js /app/
        USER node
        CMD node /app/server.js
        """,
    after="""
        FROM node:24-trixie-slim
        COPY server.js /app/
        USER node
        CMD ["node", "/app/server.js"]
        # on gcr.io/distroless/nodejs*: CMD ["/app/server.js"]
        """,
    chapter=chapter("distroless", "1-shell-form-cmd"),
    lint=LintUse(order=4),
)
def exec_form(subject: Subject, params: Params) -> Outcome:
    stage = subject.target_stage()
    chain = subject.base_chain(stage)
    base = _norm_ref(subject.final_base_image())
    effective = {keyword: found for keyword in ("ENTRYPOINT", "CMD") if (found := _effective(chain, keyword))}
    if not effective:
        return passed(f"no CMD or ENTRYPOINT: the image keeps the one from {base}")
    for keyword, instruction in effective.items():
        if instruction.json_form:
            continue
        words = " ".join(instruction.arguments).strip()
        if words.startswith("["):
            return failed(
                f"line {instruction.start_line}: {keyword} looks like JSON but is not valid JSON, so Docker runs it "
                "through /bin/sh as a shell command",
                'Use double quotes inside the brackets: ["node", "server.js"] (not single quotes), and no '
                "trailing comma.",
                line=instruction.start_line,
            )
        where = ""
        if _has_no_bin_sh(base):
            without = "distroless" if _is_distroless(base) else base
            where = f" — and {without} has no /bin/sh, so the container cannot start"
        return failed(
            f'line {instruction.start_line}: {keyword} {words} is shell form: it runs as /bin/sh -c "{words}"{where}',
            None,
            line=instruction.start_line,
        )
    # The program that runs: ENTRYPOINT's first word, else CMD's (CMD only gives arguments after an ENTRYPOINT).
    program = effective.get("ENTRYPOINT") or effective.get("CMD")
    if program is not None and _starts_a_shell(program):
        keyword = program.keyword
        if _is_shell_less(base):
            return failed(
                f"line {program.start_line}: {keyword} starts {program.arguments[0]}, and {base} has no shell: "
                "the container cannot start",
                'Start the program itself: e.g. ENTRYPOINT ["/app/server"].',
                line=program.start_line,
            )
        return failed(
            f"line {program.start_line}: {keyword} {program.text.split(None, 1)[1]} runs a shell as PID 1: it does not "
            "pass SIGTERM on, so `docker stop` waits 10 s and kills the app",
            'Start the program itself (ENTRYPOINT ["/app/server", "--port", "8080"]), or begin the script '
            "with `exec` so the program replaces the shell.",
            line=program.start_line,
        )
    cmd = effective.get("CMD")
    if cmd is not None and "ENTRYPOINT" not in effective and cmd.arguments:
        for pattern, programs, entrypoint, images, example in _RUNTIME_ENTRYPOINTS:
            if re.search(pattern, base) and re.fullmatch(programs, Path(cmd.arguments[0]).name):
                return failed(
                    f"line {cmd.start_line}: {base}'s ENTRYPOINT is already {entrypoint}, so {cmd.text} runs "
                    f"`{entrypoint} {' '.join(cmd.arguments)}` and {entrypoint.split()[0]} looks for a file named "
                    f"'{cmd.arguments[0]}'",
                    f"On {images}, give only what follows the runtime: {example}.",
                    line=cmd.start_line,
                )
    healthcheck = _healthcheck_problem(chain, base)
    if healthcheck is not None:
        line, message = healthcheck
        return failed(
            f"line {line}: {message}",
            "On a base without a shell, give HEALTHCHECK a program the image has, in exec form: e.g. a health "
            'command built with the app (HEALTHCHECK CMD ["/app", "-healthcheck"]), or probe it from outside.',
            line=line,
        )
    return passed("CMD/ENTRYPOINT use the exec form")


def _effective(chain, keyword: str):
    """The instruction that applies to the final stage: the last one in the nearest stage of its chain that has one."""
    return next((found for link in chain if (found := link.last(keyword)) is not None), None)


def _has_no_bin_sh(base: str) -> bool:
    """No /bin/sh: shell-less bases, and distroless ``:debug`` too (its busybox shell is /busybox/sh)."""
    return _is_shell_less(base) or _is_distroless(base)


#: What a HEALTHCHECK typically runs that a base without a shell does not have unless a COPY brings it.
_HEALTH_TOOLS = {"curl", "wget", "nc", "sh", "bash"}


def _healthcheck_problem(chain, base: str) -> tuple[int, str] | None:
    """(line, message) when the final stage's HEALTHCHECK cannot run on its base; None when it can (or there is none)."""
    if not _has_no_bin_sh(base):
        return None
    healthcheck = _effective(chain, "HEALTHCHECK")
    if healthcheck is None or not healthcheck.arguments or healthcheck.arguments[0].upper() == "NONE":
        return None
    outcome = "the check fails every time, so the container is reported unhealthy"
    if not healthcheck.json_form:
        command = " ".join(healthcheck.arguments[1:])
        return healthcheck.start_line, (
            f"HEALTHCHECK CMD {command[:60]} is shell form: it runs as /bin/sh -c, and {base} has no /bin/sh: {outcome}"
        )
    program = Path(healthcheck.arguments[1]).name if len(healthcheck.arguments) > 1 else ""
    copied_in = any(
        program in instruction.text
        for link in chain
        for instruction in link.instructions
        if instruction.keyword in ("COPY", "ADD")
    )
    if program in _HEALTH_TOOLS and not copied_in:
        return healthcheck.start_line, f"HEALTHCHECK runs {program}, which {base} does not have: {outcome}"
    return None


_ROOT_USERS = {"root", "0", "root:root", "0:0", "root:0", "0:root"}


@check(
    id="dockerfile.non-root-user",
    title="The final stage runs as a non-root user",
    **STATIC,
    what="The last `USER` that applies to the final stage names a user other than root, or there is none "
    "and the base runs as a non-root user by itself: a distroless base tagged `nonroot` in any variant "
    "(`:nonroot`, `:debug-nonroot`, `:nonroot-amd64`, `:nonroot@sha256:…` — user 65532), .NET's chiseled "
    "images (user app), Chainguard's images, `nginxinc/nginx-unprivileged`.",
    why="A process running as root in a container is root on any volume it mounts and one kernel bug away "
    "from root on the host. Most images default to root.",
    fix="Add `USER` with a non-root user that exists in the image, after the steps that need root.",
    before="""
        FROM gcr.io/distroless/nodejs24-debian13
        COPY --from=build /app /app
        CMD ["/app/server.js"]
        """,
    after="""
        FROM gcr.io/distroless/nodejs24-debian13
        COPY --from=build /app /app
        USER nonroot
        CMD ["/app/server.js"]
        """,
    chapter=chapter("distroless", "4-files-owned-by-root-a-process-that-is-not"),
    lint=LintUse(order=5),
)
def non_root_user(subject: Subject, params: Params) -> Outcome:
    chain = subject.base_chain(subject.target_stage())
    for link in chain:
        user = link.last("USER")
        if user is not None:
            name = " ".join(user.arguments).strip()
            if name.lower() in _ROOT_USERS or name.split(":")[0] in ("root", "0"):
                return failed(f"line {user.start_line}: USER {name} is root", None, line=user.start_line)
            return passed(f"runs as {name} (line {user.start_line})")
    base = _norm_ref(subject.final_base_image())
    user = _default_user(base)
    if user is not None:
        return passed(f"no USER, but {base} runs as {user}")
    return failed(f"no USER in the final stage: the container runs as the base image's user (root for {base})")


def _pinning_problem(reference: str) -> str | None:
    """Why an image reference is not pinned, or None when it is (a digest, or a tag other than latest)."""
    if "@sha256:" in reference:
        return None  # a digest pins the image whatever the tag or the name around it
    if "$" in reference:
        return "uses a build argument with no default"
    name_part = reference.rsplit("/", 1)[-1]
    if ":" not in name_part:
        return "has no tag (means :latest)"
    if name_part.endswith(":latest"):
        return "uses :latest"
    return None


def _image_sources(model) -> list[tuple[int, str]]:
    """(line, reference) of every ``COPY --from`` / ``RUN --mount=from=`` that names an image, not a stage."""
    found = []
    for stage in model.stages:
        for instruction in stage.instructions:
            sources = []
            if instruction.keyword in ("COPY", "ADD") and instruction.flag("from"):
                sources.append(instruction.flag("from"))
            if instruction.keyword == "RUN":
                for mount in instruction.flag_values("mount"):
                    match = re.search(r"(?:^|,)from=([^,]+)", mount)
                    if match:
                        sources.append(match.group(1))
            for source in sources:
                reference = substitute_args(source, model.arg_defaults())
                earlier = model.stage(reference)
                if (earlier is not None and earlier.index < stage.index) or reference.isdigit():
                    continue
                if _IMAGE_LIKE.search(reference) or "$" in source:
                    found.append((instruction.start_line, reference))
    return found


@check(
    id="dockerfile.pinned-bases",
    title="Base images are pinned to a version",
    **STATIC,
    what="Every `FROM`, and every `COPY --from=` that names an image rather than a stage, names a tag "
    "(other than `latest`) or a digest. A build argument counts with its default "
    "(`ARG BASE=node:24`, `FROM ${BASE:-golang}:1.22@sha256:…`).",
    why="`latest` (or no tag) changes under you: the same Dockerfile builds a different image next month, "
    "and a build that worked in class breaks at home.",
    fix="Name the version you tested with.",
    before="""
        FROM node
        COPY --from=busybox:latest /bin/busybox /busybox
        """,
    after="""
        FROM node:24-trixie
        COPY --from=busybox:1.37 /bin/busybox /busybox
        """,
    chapter=chapter("single", "a-first-dockerfile"),
    lint=LintUse(order=6),
)
def pinned_bases(subject: Subject, params: Params) -> Outcome:
    model = subject.require_model()
    problems = []
    for stage in model.stages:
        reference = model.resolved_base(stage, subject.build_args)
        earlier = model.stage(reference)
        if reference.lower() == "scratch" or (earlier is not None and earlier.index < stage.index):
            continue
        problem = _pinning_problem(reference)
        if problem:
            problems.append(Problem(f"{reference} {problem}", stage.from_instruction.start_line))
    for line, reference in _image_sources(model):
        problem = _pinning_problem(reference)
        if problem:
            problems.append(Problem(f"--from={reference} {problem}", line))
    if problems:
        return failed("; ".join(map(str, problems)), None, problems=problems)
    return passed("every base image is pinned")


_INSTALL = (
    r"\b(npm (ci|install|i)\b|yarn(\s+install)?(?=\s*($|--|&&|;|\|))|pnpm (install|i)\b|pip3? install|poetry install|uv sync"
    r"|go mod download|cargo fetch|bundle install|composer install)"
)


def _copy_sources(instruction) -> list[str]:
    if instruction.json_form:
        words = list(instruction.arguments)
    else:
        words = [w for w in instruction.arguments]
    return words[:-1] if len(words) > 1 else []


def _copies_everything(instruction) -> bool:
    return any(source.rstrip("/") in (".", "./", "*", "") for source in _copy_sources(instruction))


def _first_install(stage, install: re.Pattern[str]):
    """The stage's first RUN that installs dependencies (a later `pip install --no-deps .` needs the source)."""
    for position, instruction in enumerate(stage.instructions):
        text = " ".join(instruction.arguments) + " ".join(instruction.heredocs)
        if instruction.keyword == "RUN" and install.search(text):
            return position, instruction
    return None


@check(
    id="dockerfile.cache-friendly-order",
    title="Dependencies are installed before the source is copied",
    **STATIC,
    what="In every stage that installs dependencies, the manifests (e.g. `package.json`, `package-lock.json`) "
    "are copied and installed *before* the rest of the source is copied (`COPY . .` after the install).",
    why="Each instruction's cache depends on everything above it. If `COPY . .` comes before `npm ci`, "
    "changing one line of your code re-runs the whole install; copied after, the install comes from cache.",
    fix="Copy the manifests, install, then copy the source.",
    before="""
        FROM node:24-trixie-slim AS build
        WORKDIR /app
        COPY . .
        RUN npm ci
        """,
    after="""
        FROM node:24-trixie-slim AS build
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN npm ci
        COPY . .
        """,
    chapter=chapter("single", "layer-caching-and-instruction-order"),
    params=(
        Param("manifests", ["package.json", "package-lock.json"], "dependency manifests to copy first", (list,)),
        Param("install", _INSTALL, "regular expression for the install command", (str,)),
        Param("require_install", True, "fail when no stage installs dependencies", (bool,)),
    ),
    # Any language: only the whole-source-before-install mistake; a file that installs nothing passes.
    lint=LintUse(order=9, params={"manifests": [], "require_install": False}),
)
def cache_friendly_order(subject: Subject, params: Params) -> Outcome:
    model = subject.require_model()
    install = re.compile(params["install"])
    manifests = [str(m) for m in params["manifests"]]
    subject.target_stage()
    first_install = None
    for stage in model.needed_stages(subject.target):
        found = _first_install(stage, install)
        if found is None:
            continue
        position, instruction = found
        copies = [i for i in stage.instructions[:position] if i.keyword in ("COPY", "ADD") and not i.flag("from")]
        everything = next((i for i in copies if _copies_everything(i)), None)
        if everything is not None:
            return failed(
                f"line {everything.start_line}: `{everything.text}` copies the whole source before "
                f"`{instruction.text[:60]}` (line {instruction.start_line}): any code change re-runs the install",
                None,
                line=everything.start_line,
            )
        if first_install is None:
            first_install = instruction
            copied = [s for i in copies for s in _copy_sources(i)]
            missing = [
                m
                for m in manifests
                if not any(fnmatch.fnmatch(m, Path(s).name) or s.rstrip("/").endswith(m) for s in copied)
            ]
            if manifests and len(missing) == len(manifests):
                return failed(
                    f"line {instruction.start_line}: `{instruction.text[:60]}` runs before any manifest "
                    f"({', '.join(manifests)}) is copied",
                    f"Add `COPY {' '.join(manifests)} ./` before the install.",
                )
    if first_install is not None:
        return passed(f"manifests copied and installed (line {first_install.start_line}) before the source")
    if not params["require_install"]:
        return passed("no dependency install step: nothing to order")
    return failed(
        "no dependency install step found (npm ci, pip install, go mod download…)",
        "Install dependencies in their own RUN step after copying only the manifests.",
    )


def _dockerignore_patterns(text: str) -> list[tuple[bool, str]]:
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line.lstrip("!").strip().lstrip("/").rstrip("/")
        if line.startswith("./"):
            line = line[2:]
        patterns.append((negated, line))
    return patterns


def _ignored(path: str, patterns: list[tuple[bool, str]]) -> bool:
    """Docker's rule: the last matching pattern wins; a match on a parent folder excludes what is inside."""
    result = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for negated, pattern in patterns:
        variants = {pattern}
        if pattern.startswith("**/"):
            variants.add(pattern[3:])
        for candidate in prefixes:
            if any(fnmatch.fnmatchcase(candidate, v) for v in variants):
                result = not negated
                break
    return result


@check(
    id="dockerfile.dockerignore",
    title=".dockerignore keeps bulky and secret files out of the context",
    **STATIC,
    what="A `.dockerignore` next to the build context (or `<Dockerfile>.dockerignore` beside the Dockerfile) "
    "excludes the lab's paths, e.g. `node_modules` and `.git`.",
    why="Everything in the context is sent to the engine on every build, and `COPY . .` puts it in the image: "
    "your local node_modules (built for your machine) overwrites the one installed in the image, "
    "and .git or .env leak history and secrets.",
    fix="Create `.dockerignore` in the context folder.",
    before="""
        # (no .dockerignore)
        COPY . .
        """,
    after="""
        # app/.dockerignore
        node_modules
        .git
        """,
    chapter=chapter("single", "dockerignore-what-is-sent-to-the-build"),
    params=(Param("must_exclude", ["node_modules", ".git"], "paths that must be excluded", (list,)),),
    example_file=".dockerignore",
)
def dockerignore(subject: Subject, params: Params) -> Outcome:
    if subject.context_dir is None:
        raise SkipCheck("no build context given")
    candidates = []
    if subject.dockerfile_path is not None:
        candidates.append(subject.dockerfile_path.with_name(subject.dockerfile_path.name + ".dockerignore"))
    candidates.append(subject.context_dir / ".dockerignore")
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        return failed(f"no .dockerignore in the build context ({subject.context_dir.name}/)")
    try:
        patterns = _dockerignore_patterns(found.read_text(encoding="utf-8", errors="replace"))
    except OSError as error:
        return failed(f"{found.name} cannot be read ({error.strerror})")
    missing = [str(p) for p in params["must_exclude"] if not _ignored(str(p).strip("/"), patterns)]
    if missing:
        return failed(
            f"{found.name} does not exclude: {', '.join(missing)}",
            f"Add these lines to {found.name}: " + ", ".join(missing),
            missing=missing,
        )
    return passed(f"{found.name} excludes {', '.join(map(str, params['must_exclude']))}")


# -- what the final base ships, judged from its reference ------------------------------------

#: Official images by repository name: what each ships besides the OS package manager.
_LANGUAGE_IMAGES = {
    "golang": "the Go compiler",
    "rust": "the Rust compiler and cargo",
    "gcc": "the GCC compiler",
    "maven": "a full JDK and Maven",
    "gradle": "a full JDK and Gradle",
    "openjdk": "a full JDK (javac)",
    "amazoncorretto": "a full JDK (javac)",
    "node": "npm",
    "python": "pip",
    "ruby": "gem and bundler",
    "php": "pecl and the PHP build tools",
    "mcr.microsoft.com/dotnet/sdk": "the .NET SDK",
}
#: Images that are an operating system, with their package manager.
_OS_IMAGES = {
    "debian": "apt", "ubuntu": "apt", "alpine": "apk", "fedora": "dnf", "centos": "yum", "rockylinux": "dnf",
    "almalinux": "dnf", "amazonlinux": "dnf", "oraclelinux": "dnf", "opensuse/leap": "zypper", "archlinux": "pacman",
    "registry.access.redhat.com/ubi8": "dnf", "registry.access.redhat.com/ubi9": "dnf", "redhat/ubi9": "dnf",
    "cgr.dev/chainguard/wolfi-base": "apk", "nginx": "apt", "httpd": "apt",
}  # fmt: skip
#: JDK distributions whose tag says JDK or JRE (eclipse-temurin:21-jre, ibm-semeru-runtimes:open-21-jdk).
_JAVA_IMAGES = ("eclipse-temurin", "ibm-semeru-runtimes", "sapmachine", "bellsoft/liberica-openjdk-debian")


def _os_package_manager(name: str, tag: str) -> str:
    words = _tag_words(tag)
    if any(word.startswith("alpine") for word in words):  # `alpine`, `alpine3.20` (split: `alpine3`, `20`)
        return "apk"
    if any(word.startswith("ubi") for word in words):
        return "microdnf"
    if name == "amazoncorretto":
        return "yum"
    return _OS_IMAGES.get(name, "apt")


def _what_ships(reference: str) -> list[str]:
    """What a known base image brings that a final image should not ship (empty: minimal or unknown)."""
    name, tag = _split_reference(_norm_ref(reference))
    name = name.lower()
    if _is_shell_less(reference):
        return []
    if name.startswith("cgr.dev/chainguard/") and name != "cgr.dev/chainguard/wolfi-base":
        return ["apk (a package manager)", "a shell"] if "dev" in _tag_words(tag) else []
    if name in _OS_IMAGES:
        return [f"{_os_package_manager(name, tag)} (a package manager)"]
    if name in _JAVA_IMAGES:
        kind = "a JRE" if "jre" in tag.lower() else "a full JDK (javac)"
        return ([] if kind == "a JRE" else [kind]) + [f"{_os_package_manager(name, tag)} (a package manager)"]
    if _is_windows_tag(tag):  # Nano Server and Server Core have no package manager
        return [_LANGUAGE_IMAGES[name]] if name in _LANGUAGE_IMAGES else []
    if name in _LANGUAGE_IMAGES:
        return [_LANGUAGE_IMAGES[name], f"{_os_package_manager(name, tag)} (a package manager)"]
    if name.startswith("mcr.microsoft.com/dotnet/"):
        return [f"{_os_package_manager(name, tag)} (a package manager)"]
    return []


def _is_windows_tag(tag: str) -> bool:
    return bool(re.search(r"nanoserver|servercore|ltsc\d", tag.lower()))


@check(
    id="dockerfile.final-base-tools",
    title="The final base ships no package manager, compiler or SDK",
    **STATIC,
    what="Judged from the final stage's base reference alone (no engine): the base is not a known image that "
    "brings a package manager (apt, apk, dnf…), a compiler (Go, Rust, GCC), a full JDK or an SDK. "
    "scratch, distroless and unknown images pass; `image.no-package-manager` and `image.no-compilers` "
    "check the built image itself.",
    why="Whatever the base holds ships with your app: a package manager lets anyone inside the container install "
    "tools, and a compiler or JDK adds hundreds of MB and lets an attacker build tools in place.",
    fix="Build in a stage on the full image; start the final stage from distroless (or scratch) and copy only "
    "the result.",
    before="""
        FROM golang:1.25 AS build
        RUN go build -o /out/app .

        FROM golang:1.25
        COPY --from=build /out/app /app
        USER 65532
        ENTRYPOINT ["/app"]
        """,
    after="""
        FROM golang:1.25 AS build
        RUN go build -o /out/app .

        FROM gcr.io/distroless/static-debian13:nonroot
        COPY --from=build /out/app /app
        ENTRYPOINT ["/app"]
        """,
    chapter=chapter("distroless", "what-distroless-is-and-is-not"),
    lint=LintUse(order=7),
)
def final_base_tools(subject: Subject, params: Params) -> Outcome:
    base = subject.final_base_image()
    shipped = _what_ships(base)
    if shipped:
        return failed(
            f"the final stage starts from {_norm_ref(base)}, which ships {' and '.join(shipped)}",
            None,
            base=base,
            ships=shipped,
        )
    return passed(f"the final base {_norm_ref(base)} brings no package manager or build tools that we know of")


# -- package manager caches --------------------------------------------------------------------


@dataclass(frozen=True)
class PackageManager:
    """How a package manager installs, and what keeps its cache out of the layer that installs."""

    name: str
    #: The program (its last path or ``-`` part: ``apt-get``, ``/sbin/apk``, ``xx-apk``), and its install verb.
    programs: tuple[str, ...]
    install: str
    #: A word anywhere in the RUN that leaves no cache (``apk add --no-cache``).
    no_cache_flag: str | None
    #: A verb of the program that, followed by ``all``, cleans its cache (``dnf clean all``).
    clean: str | None
    #: Removed with ``rm`` in the same RUN (the folder or files in it), the cache is gone.
    cache_files: tuple[str, ...]
    #: A ``--mount=type=cache`` on this folder keeps the cache out of the layer.
    mounted_cache: str


_PACKAGE_MANAGERS = (
    PackageManager("apt", ("apt", "apt-get"), "install", None, None, ("/var/lib/apt/lists",), "/var/lib/apt"),
    PackageManager("apk", ("apk",), "add", "--no-cache", None, ("/var/cache/apk",), "/var/cache/apk"),
    PackageManager(
        "dnf/yum",
        ("dnf", "yum", "microdnf"),
        "install",
        None,
        "clean",
        ("/var/cache/dnf", "/var/cache/yum"),
        "/var/cache/",
    ),
)


def _leaves_cache(manager: PackageManager, commands: list[list[str]], words: set[str]) -> bool:
    """The RUN installs with the manager and does not clean up after it."""
    if not any(runs_verb(command, manager.programs, manager.install) for command in commands):
        return False
    if manager.no_cache_flag in words:
        return False
    cleaned = manager.clean is not None and any(
        runs_verb(command, manager.programs, manager.clean) and "all" in command for command in commands
    )
    return not cleaned and not any(removes_any(command, manager.cache_files) for command in commands)


@check(
    id="dockerfile.package-cache-cleanup",
    title="Package installs in the final image leave no cache behind",
    **STATIC,
    what="In the stages whose layers ship (the final stage and the stages it is built FROM), every `apt-get "
    "install` removes `/var/lib/apt/lists` in the same RUN, every `apk add` uses `--no-cache`, every "
    "`dnf`/`yum install` ends with `clean all` — or the RUN keeps that folder in a `--mount=type=cache`.",
    why="The package index (20–50 MB for apt) is only needed while installing. Removed in a later RUN it still "
    "ships in the earlier layer; in a build stage it does not matter, as that stage does not ship.",
    fix="Clean up in the same RUN as the install.",
    before="""
        FROM debian:trixie-slim
        RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
        """,
    after="""
        FROM debian:trixie-slim
        RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \\
         && rm -rf /var/lib/apt/lists/*
        """,
    chapter=chapter("single", "what-is-inside"),
    lint=LintUse(order=10),
)
def package_cache_cleanup(subject: Subject, params: Params) -> Outcome:
    chain = subject.base_chain(subject.target_stage())
    problems = []
    for stage in reversed(chain):
        for instruction in stage.find("RUN"):
            cached = [m for m in instruction.flag_values("mount") if "type=cache" in m]
            commands = simple_commands(instruction.script)
            words = {word for command in commands for word in command}
            for manager in _PACKAGE_MANAGERS:
                if not _leaves_cache(manager, commands, words):
                    continue
                if any(manager.mounted_cache in mount for mount in cached):
                    continue
                problems.append(
                    (instruction.start_line, f"`{instruction.text[:70]}` leaves the {manager.name} cache in the image")
                )
    if problems:
        line, message = problems[0]
        return failed(
            f"line {line}: {message}",
            "In the same RUN: `apt-get install … && rm -rf /var/lib/apt/lists/*`, `apk add --no-cache …`, "
            "`dnf install … && dnf clean all`.",
            problems=[Problem(m, l) for l, m in problems],
        )
    return passed("no package cache left in the shipped layers")


# -- RUN on a base without a shell -------------------------------------------------------------

#: Programs a RUN typically calls that a distroless or scratch image does not have.
_SYSTEM_TOOLS = {
    "sh", "bash", "apt", "apt-get", "apk", "dpkg", "dnf", "yum", "groupadd", "useradd", "addgroup", "adduser",
    "chown", "chmod", "mkdir", "ln", "cp", "mv", "rm", "touch", "echo", "cat", "curl", "wget", "tar", "update-ca-certificates",
}  # fmt: skip


def _brings_a_shell(instruction) -> bool:
    """`COPY --from=busybox …`, `COPY … /bin/sh`: from here on the stage has a shell."""
    return instruction.keyword in ("COPY", "ADD") and bool(re.search(r"busybox|/bin/(ba)?sh\b", instruction.text))


@check(
    id="dockerfile.run-needs-a-shell",
    title="No RUN on a base that has no shell",
    **STATIC,
    what="No stage built on `scratch` or distroless (not `:debug`) has a shell-form `RUN` (or a heredoc RUN), "
    "or an exec-form RUN of a system tool (`useradd`, `chown`, `apt-get`…): those images have neither a "
    "shell nor the tools.",
    why='`RUN useradd app` runs `/bin/sh -c "useradd app"`. scratch and distroless have no /bin/sh, so the '
    'build stops there with `exec: "/bin/sh": no such file or directory`.',
    fix="Do the work in a build stage and copy the result; on distroless use the built-in `nonroot` user "
    "and `COPY --chown=nonroot:nonroot`.",
    before="""
        FROM gcr.io/distroless/static-debian13
        RUN useradd --uid 10001 app
        COPY --chown=app app /app
        USER app
        """,
    after="""
        FROM gcr.io/distroless/static-debian13
        COPY --chown=nonroot:nonroot app /app
        USER nonroot
        """,
    chapter=chapter("distroless", "what-distroless-is-and-is-not"),
    lint=LintUse(order=8),
)
def run_needs_a_shell(subject: Subject, params: Params) -> Outcome:
    model = subject.require_model()
    problems = []
    for stage in model.stages:
        chain = subject.base_chain(stage)
        base = model.resolved_base(chain[-1], subject.build_args)
        if not _is_shell_less(base) or any(_brings_a_shell(i) for link in chain[1:] for i in link.instructions):
            continue
        for instruction in stage.instructions:
            if _brings_a_shell(instruction):
                break
            if instruction.keyword != "RUN":
                continue
            if instruction.json_form and not instruction.heredocs:
                program = Path(instruction.arguments[0]).name if instruction.arguments else ""
                if program not in _SYSTEM_TOOLS:
                    continue  # e.g. RUN ["/app", "--self-test"]: a program the stage copied in
                reason = f"{base} has no {program}"
            else:
                reason = f"{base} has no /bin/sh to run it"
            problems.append((instruction.start_line, f"`{instruction.text[:60]}` cannot run: {reason}"))
    if problems:
        line, message = problems[0]
        return failed(
            f"line {line}: {message} — the build stops here",
            None,
            line=line,
            problems=[Problem(m, l) for l, m in problems],
        )
    return passed("no RUN on a base without a shell")


# -- secrets in ENV ----------------------------------------------------------------------------


@check(
    id="dockerfile.no-secrets-in-env",
    title="No secret is baked into the image with ENV",
    **STATIC,
    what="No `ENV` sets a variable whose name says it holds a secret (`*_PASSWORD`, `*_TOKEN`, `*_SECRET`, "
    "`API_KEY`, `AWS_SECRET_ACCESS_KEY`…) to a value. Names for where a secret is (`*_FILE`, `*_PATH`, `*_URL`) "
    "and empty values pass.",
    why="ENV values are stored in the image's config: `docker inspect` and `docker history` show them to anyone "
    "who can pull the image, for ever, even from a later layer that unsets them.",
    fix="Pass secrets at run time (`docker run -e`, a secrets manager), or at build time with "
    "`RUN --mount=type=secret,id=…` so they never reach a layer.",
    before="""
        FROM node:24-trixie-slim
        ENV NPM_TOKEN=npm_3kXo9bQ
        RUN npm ci
        """,
    after="""
        FROM node:24-trixie-slim
        RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
        """,
    chapter=chapter("single", "a-first-dockerfile"),
    lint=LintUse(order=11),
)
def no_secrets_in_env(subject: Subject, params: Params) -> Outcome:
    model = subject.require_model()
    problems = []
    for instruction in model.instructions:
        if instruction.keyword != "ENV":
            continue
        pairs = list(zip(instruction.arguments[0::2], instruction.arguments[1::2]))
        for name, value in pairs:
            if is_secret_name(name) and value.strip("\"' "):
                problems.append((instruction.start_line, f"ENV {name}=… puts a secret in the image config"))
    if problems:
        line, message = problems[0]
        return failed(
            f"line {line}: {message}: `docker inspect` shows it to anyone who pulls the image",
            None,
            line=line,
            problems=[Problem(m, l) for l, m in problems],
        )
    return passed("no secret-like ENV")


@check(
    id="dockerfile.hadolint",
    title="hadolint finds nothing the lab forbids",
    **STATIC,
    what="Runs hadolint (the field's Dockerfile linter) with the course's configuration. Findings whose code "
    "the lab lists in `fail_on` fail the check; the others are shown as warnings. Findings the course knows "
    "to be wrong for a construct (ShellCheck on a heredoc fed to a command, /bin/sh advice on Windows images) "
    "are left out, and listed under `filtered` in the JSON report.",
    why="hadolint knows hundreds of Dockerfile and shell pitfalls (e.g. DL3007 `latest`, DL3025 shell-form CMD, "
    "DL3059 consecutive RUNs). Learning its codes pays off in every project after this course.",
    fix="Read the rule's page (https://github.com/hadolint/hadolint/wiki/DLxxxx) and change the line it names.",
    before="""
        FROM node:latest
        """,
    after="""
        FROM node:24-trixie
        """,
    chapter=chapter("single", "a-first-dockerfile"),
    params=(Param("fail_on", [], "hadolint codes that fail the check (others warn)", (list,)),),
    lint=LintUse(order=12),
    example_params={"fail_on": ["DL3007"]},
)
def hadolint(subject: Subject, params: Params) -> Outcome:
    model = subject.require_model()
    try:
        result = lint(model)
    except HadolintMissing as error:
        raise SkipCheck(str(error)) from None
    if result.parse_error is not None:
        return failed(
            f"hadolint could not parse line {result.parse_error.line}: {result.parse_error.message.splitlines()[0]}",
            "hadolint reads Dockerfiles more strictly than BuildKit; fix the line it names.",
        )
    fail_on = {str(c) for c in params["fail_on"]}
    failing = [f for f in result.findings if f.code in fail_on]
    warnings = [str(f) for f in result.findings if f.code not in fail_on]
    warnings += [
        f"line {line}: hadolint cannot read this heredoc (BuildKit can); it linted the file without it"
        for line in result.unread_heredocs
    ]
    findings = [
        {"code": f.code, "level": f.level, "line": f.line, "message": f.message, "url": f.url} for f in result.findings
    ]
    filtered = [
        {"code": f.code, "line": f.line, "message": f.message, "why_left_out": why} for f, why in result.filtered
    ]
    if failing:
        first = failing[0]
        more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        return failed(
            f"{first}{more}",
            f"See {first.url}",
            findings=findings,
            warnings=warnings,
            filtered=filtered,
        )
    message = "no findings" if not warnings else f"no forbidden findings; {len(warnings)} warning(s)"
    return passed(message, findings=findings, warnings=warnings, filtered=filtered)
