"""Static checks: read the Dockerfile (and the context's .dockerignore), no engine needed."""

from __future__ import annotations

import difflib
import fnmatch
import re
from pathlib import Path

from ..hadolint import HadolintMissing, lint
from .base import Outcome, Param, Phase, SkipCheck, chapter, check, failed, passed

STATIC = dict(family="dockerfile", phase=Phase.STATIC)


def _norm_ref(reference: str) -> str:
    """``docker.io/library/node:24`` → ``node:24`` (how learners and allow-lists write it)."""
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/"):
        if reference.startswith(prefix):
            return reference[len(prefix) :]
    return reference


def _is_distroless(reference: str) -> bool:
    return "distroless" in reference


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
)
def parses(subject, params) -> Outcome:
    if subject.parse_error is not None:
        error = subject.parse_error
        where = f"line {error.line}: " if error.line else ""
        return failed(f"{where}{error.reason}", None, line=error.line)
    if subject.diagnoses:
        first = subject.diagnoses[0]
        more = f" (and {len(subject.diagnoses) - 1} more problem(s))" if len(subject.diagnoses) > 1 else ""
        return failed(
            f"{first}{more}",
            first.hint,
            problems=[{"line": d.line, "message": d.message, "hint": d.hint} for d in subject.diagnoses],
        )
    model = subject.model
    return passed(f"{len(model.instructions)} instructions in {len(model.stages)} stage(s)")


@check(
    id="dockerfile.multi-stage",
    title="Builds in one stage, ships from another",
    **STATIC,
    what="The final stage takes something from an earlier stage (`COPY --from=` or `FROM <stage>`).",
    why="Build tools (compilers, npm, dev dependencies) stay in the build stage; only the result ships. "
    "Two FROM lines are not enough: the final stage must use what the first one built.",
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
)
def multi_stage(subject, params) -> Outcome:
    model = subject.require_model()
    final = subject.target_stage()
    needed = model.needed_stages(subject.target)
    if len(model.stages) < 2:
        return failed("there is only one stage (one FROM): build tools ship in the final image")
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
    params=(
        Param("allowed", ["gcr.io/distroless/*", "scratch"], "glob patterns of allowed references", (list,)),
    ),
)
def final_base(subject, params) -> Outcome:
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
)
def copy_from_defined(subject, params) -> Outcome:
    model = subject.require_model()
    problems = []
    for stage in model.stages:
        earlier = [s for s in model.stages if s.index < stage.index]
        names = [s.name for s in earlier if s.name]
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
                        (instruction.start_line, f"stage '{ref}' is defined after this stage (line {found.from_instruction.start_line}): a stage can only copy from stages above it")
                    )
                elif not _IMAGE_LIKE.search(ref) and not ref.isdigit():
                    close = difflib.get_close_matches(ref.lower(), [n.lower() for n in names], n=1, cutoff=0.4)
                    suggestion = f" — did you mean '{close[0]}'?" if close else ""
                    defined = ", ".join(names) or "none (add `AS name` to a FROM line)"
                    problems.append((instruction.start_line, f"--from={ref} names no stage (stages defined above: {defined}){suggestion}"))
                elif ref.isdigit():
                    problems.append((instruction.start_line, f"--from={ref}: there is no stage number {ref} above this line"))
    if problems:
        line, message = problems[0]
        return failed(f"line {line}: {message}", None, problems=[{"line": l, "message": m} for l, m in problems])
    return passed("every --from names a stage defined above")


@check(
    id="dockerfile.exec-form",
    title="CMD and ENTRYPOINT use the exec (JSON) form",
    **STATIC,
    what="The final stage's effective `CMD` and `ENTRYPOINT` are JSON arrays, not shell strings; on the "
    "distroless Node.js image, `CMD` does not repeat `node` (its ENTRYPOINT is node already).",
    why="Shell form runs `/bin/sh -c \"...\"`: distroless has no /bin/sh, so the container cannot start. "
    "Elsewhere the shell becomes PID 1 and does not pass SIGTERM on, so `docker stop` waits 10 s and kills the app.",
    fix="Write the command as a JSON array with double quotes.",
    before="""
        CMD node server.js
        """,
    after="""
        CMD ["node", "server.js"]
        # on gcr.io/distroless/nodejs*: CMD ["server.js"]
        """,
    chapter=chapter("distroless", "1-shell-form-cmd"),
)
def exec_form(subject, params) -> Outcome:
    stage = subject.target_stage()
    chain = subject.base_chain(stage)
    base = _norm_ref(subject.final_base_image())
    effective = {}
    for keyword in ("ENTRYPOINT", "CMD"):
        for link in chain:  # nearest stage first: its instruction wins
            instruction = link.last(keyword)
            if instruction is not None:
                effective[keyword] = instruction
                break
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
                "Use double quotes inside the brackets: [\"node\", \"server.js\"] (not single quotes), and no "
                "trailing comma.",
                line=instruction.start_line,
            )
        where = " — and distroless has no /bin/sh, so the container cannot start" if _is_distroless(base) else ""
        return failed(
            f"line {instruction.start_line}: {keyword} {words} is shell form: it runs as /bin/sh -c \"{words}\"{where}",
            None,
            line=instruction.start_line,
        )
    cmd = effective.get("CMD")
    if (
        cmd is not None
        and "ENTRYPOINT" not in effective
        and re.search(r"distroless/nodejs", base)
        and cmd.arguments
        and Path(cmd.arguments[0]).name in ("node", "nodejs")
    ):
        return failed(
            f"line {cmd.start_line}: the distroless Node.js image's ENTRYPOINT is already node, so "
            f"{cmd.text} runs `node {' '.join(cmd.arguments)}` and node looks for a script named 'node'",
            "On gcr.io/distroless/nodejs*, give only the script: CMD [\"server.js\"].",
            line=cmd.start_line,
        )
    return passed("CMD/ENTRYPOINT use the exec form")


_ROOT_USERS = {"root", "0", "root:root", "0:0", "root:0", "0:root"}


@check(
    id="dockerfile.non-root-user",
    title="The final stage runs as a non-root user",
    **STATIC,
    what="The last `USER` that applies to the final stage names a user other than root "
    "(a distroless `:nonroot` base counts: it sets user 65532).",
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
)
def non_root_user(subject, params) -> Outcome:
    chain = subject.base_chain(subject.target_stage())
    for link in chain:
        user = link.last("USER")
        if user is not None:
            name = " ".join(user.arguments).strip()
            if name.lower() in _ROOT_USERS or name.split(":")[0] in ("root", "0"):
                return failed(f"line {user.start_line}: USER {name} is root", None, line=user.start_line)
            return passed(f"runs as {name} (line {user.start_line})")
    base = _norm_ref(subject.final_base_image())
    if base.endswith(":nonroot") or base.endswith(":debug-nonroot"):
        return passed(f"no USER, but {base} runs as nonroot (65532)")
    return failed(f"no USER in the final stage: the container runs as the base image's user (root for {base})")


@check(
    id="dockerfile.pinned-bases",
    title="Base images are pinned to a version",
    **STATIC,
    what="Every `FROM` names a tag (other than `latest`) or a digest.",
    why="`latest` (or no tag) changes under you: the same Dockerfile builds a different image next month, "
    "and a build that worked in class breaks at home.",
    fix="Name the version you tested with.",
    before="""
        FROM node
        FROM gcr.io/distroless/nodejs24-debian13:latest
        """,
    after="""
        FROM node:24-trixie
        FROM gcr.io/distroless/nodejs24-debian13:nonroot
        """,
    chapter=chapter("single", "a-first-dockerfile"),
)
def pinned_bases(subject, params) -> Outcome:
    model = subject.require_model()
    problems = []
    for stage in model.stages:
        reference = model.resolved_base(stage, subject.build_args)
        earlier = model.stage(reference)
        if reference == "scratch" or (earlier is not None and earlier.index < stage.index):
            continue
        if "$" in reference:
            problems.append(f"line {stage.from_instruction.start_line}: {reference} uses a build argument with no default")
            continue
        if "@sha256:" in reference:
            continue
        name_part = reference.rsplit("/", 1)[-1]
        if ":" not in name_part:
            problems.append(f"line {stage.from_instruction.start_line}: {reference} has no tag (means :latest)")
        elif name_part.endswith(":latest"):
            problems.append(f"line {stage.from_instruction.start_line}: {reference} uses :latest")
    if problems:
        return failed("; ".join(problems), None, problems=problems)
    return passed("every base image is pinned")


_INSTALL = r"\b(npm (ci|install|i)\b|yarn( install)?\b|pnpm install|pip3? install|go mod download|bundle install|composer install)"


def _copy_sources(instruction) -> list[str]:
    if instruction.json_form:
        words = list(instruction.arguments)
    else:
        words = [w for w in instruction.arguments]
    return words[:-1] if len(words) > 1 else []


def _copies_everything(instruction) -> bool:
    return any(source.rstrip("/") in (".", "./", "*", "") for source in _copy_sources(instruction))


@check(
    id="dockerfile.cache-friendly-order",
    title="Dependencies are installed before the source is copied",
    **STATIC,
    what="In the stage that installs dependencies, the manifests (e.g. `package.json`, `package-lock.json`) "
    "are copied and installed *before* the rest of the source is copied.",
    why="Each instruction's cache depends on everything above it. If `COPY . .` comes before `npm ci`, "
    "changing one line of your code re-runs the whole install; copied after, the install comes from cache.",
    fix="Copy the manifests, install, then copy the source.",
    before="""
        COPY . .
        RUN npm ci
        """,
    after="""
        COPY package.json package-lock.json ./
        RUN npm ci
        COPY . .
        """,
    chapter=chapter("single", "layer-caching-and-instruction-order"),
    params=(
        Param("manifests", ["package.json", "package-lock.json"], "dependency manifests to copy first", (list,)),
        Param("install", _INSTALL, "regular expression for the install command", (str,)),
    ),
)
def cache_friendly_order(subject, params) -> Outcome:
    model = subject.require_model()
    install = re.compile(params["install"])
    manifests = [str(m) for m in params["manifests"]]
    subject.target_stage()
    for stage in model.needed_stages(subject.target):
        steps = list(stage.instructions)
        for position, instruction in enumerate(steps):
            text = " ".join(instruction.arguments) + " ".join(instruction.heredocs)
            if instruction.keyword != "RUN" or not install.search(text):
                continue
            copies = [i for i in steps[:position] if i.keyword in ("COPY", "ADD") and not i.flag("from")]
            everything = next((i for i in copies if _copies_everything(i)), None)
            if everything is not None:
                return failed(
                    f"line {everything.start_line}: `{everything.text}` copies the whole source before "
                    f"`{instruction.text[:60]}` (line {instruction.start_line}): any code change re-runs the install",
                    None,
                    line=everything.start_line,
                )
            copied = [s for i in copies for s in _copy_sources(i)]
            missing = [
                m for m in manifests if not any(fnmatch.fnmatch(m, Path(s).name) or s.rstrip("/").endswith(m) for s in copied)
            ]
            if missing and len(missing) == len(manifests):
                return failed(
                    f"line {instruction.start_line}: `{instruction.text[:60]}` runs before any manifest "
                    f"({', '.join(manifests)}) is copied",
                    f"Add `COPY {' '.join(manifests)} ./` before the install.",
                )
            return passed(f"manifests copied and installed (line {instruction.start_line}) before the source")
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
)
def dockerignore(subject, params) -> Outcome:
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


@check(
    id="dockerfile.hadolint",
    title="hadolint finds nothing the lab forbids",
    **STATIC,
    what="Runs hadolint (the field's Dockerfile linter) with the course's configuration. Findings whose code "
    "the lab lists in `fail_on` fail the check; the others are shown as warnings.",
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
)
def hadolint(subject, params) -> Outcome:
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
    findings = [{"code": f.code, "level": f.level, "line": f.line, "message": f.message, "url": f.url} for f in result.findings]
    if failing:
        first = failing[0]
        more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        return failed(
            f"{first}{more}",
            f"See {first.url}",
            findings=findings,
            warnings=warnings,
        )
    message = "no findings" if not warnings else f"no forbidden findings; {len(warnings)} warning(s)"
    return passed(message, findings=findings, warnings=warnings)
