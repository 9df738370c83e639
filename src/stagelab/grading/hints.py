"""The hint catalogue: how to fix each check, for the lab's language, and hints chosen from the evidence.

A check is written once (:mod:`stagelab.grading.checks.base`) with a default fix,
before/after and chapter. Those defaults were written for one language (mostly
Node.js). This module says which languages each default fits and adds the
advice for the others, so a Python lab never gets a Go or Node hint:

- :data:`ADVICE` — per check, one :class:`Advice` per group of languages (fix, a
  tiny before/after, the chapter that teaches it);
- :data:`HINTS` — hints chosen from the evidence (a log line, a failing instruction),
  each naming the checks and the languages it applies to;
- :func:`language_of` — the lab's language: declared in ``lab.yaml``, else detected
  from the build context, else from the final stage's base image.

``tests/grading/test_hints.py`` walks every check × language and asserts that no
text mentions another language (see :data:`VOCABULARY`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .checks.base import chapter, dedent

#: The languages a lab can be written in; "other" is anything else (a static site, a shell tool).
LANGUAGES = ("python", "node", "go", "other")
ALL = LANGUAGES

#: Words that belong to one language: a hint for another language must not contain them.
VOCABULARY = {
    "python": re.compile(r"python|\bpip\b|\bvenv\b|\.py\b|requirements\.txt|bottle|gunicorn|uvicorn", re.I),
    "node": re.compile(
        r"\bnode\b|nodejs|\bnpm\b|\bnpx\b|\.js\b|node_modules|package(-lock)?\.json|express|--omit=dev|"
        r"devDependencies|production dependencies|\bNode\b",
        re.I,
    ),
    "go": re.compile(r"\bGo\b|golang|\bcgo\b|CGO_ENABLED|\bgo (build|test|mod|run)\b|go\.mod|\.go\b|-ldflags"),
}


def foreign_words(text: str, language: str) -> list[str]:
    """Words in ``text`` that belong to a language other than ``language`` (all of them for "other")."""
    found = []
    for other, pattern in VOCABULARY.items():
        if other != language:
            found += [match.group(0) for match in pattern.finditer(text or "")]
    return found


def fits(text: str | None, language: str) -> bool:
    """Whether a hint may be shown in a lab of ``language``."""
    return not foreign_words(text or "", language)


@dataclass(frozen=True)
class Advice:
    """How to fix a check's failure, for the languages named."""

    languages: tuple[str, ...]
    fix: str
    before: str
    after: str
    chapter: str

    def texts(self) -> tuple[str, ...]:
        return (self.fix, self.before, self.after, self.chapter)


def _a(languages, fix, before, after, where) -> Advice:
    return Advice(tuple(languages), fix, dedent(before), dedent(after), where)


_NODE, _PY, _GO, _OTHER = ("node",), ("python",), ("go",), ("other",)
_PY_CHAPTER = chapter("distroless", "a-python-app-on-distroless")
_GO_CHAPTER = chapter("multi", "go-from-golang-to-scratch")

#: For each check: which languages its own (default) texts fit; the others get :data:`ADVICE`.
DEFAULT_FITS: dict[str, tuple[str, ...]] = {
    "dockerfile.parses": _NODE,
    "dockerfile.multi-stage": _NODE,
    "dockerfile.final-base": _NODE,
    "dockerfile.copy-from-defined": (),
    "dockerfile.exec-form": _NODE,
    "dockerfile.non-root-user": _NODE,
    "dockerfile.pinned-bases": _NODE,
    "dockerfile.cache-friendly-order": _NODE,
    "dockerfile.dockerignore": _NODE,
    "dockerfile.hadolint": _NODE,
    "dockerfile.final-base-tools": _GO,
    "dockerfile.no-secrets-in-env": _NODE,
    "dockerfile.run-needs-a-shell": ALL,
    "dockerfile.package-cache-cleanup": ALL,
    "image.builds": _NODE,
    "build.dependency-layer-cached": _NODE,
    "image.size-budget": _NODE,
    "image.no-shell": _GO + _OTHER,
    "image.no-package-manager": _NODE,
    "image.no-compilers": _GO,
    "image.no-npm": _NODE,
    "image.non-root": _NODE,
    "image.production-dependencies-only": _NODE,
    "image.files-present": _NODE,
    "image.layer-efficiency": ALL,
    "runtime.responds": _NODE,
    "runtime.stops-cleanly": _NODE,
    "runtime.output": _GO,
    "runtime.no-shell-exec": _NODE,
    "structure-test": _NODE,
}

#: Checks that only make sense for some languages (a lab of another language cannot use them).
ONLY_FOR: dict[str, tuple[str, ...]] = {
    "image.no-npm": _NODE,
    "image.production-dependencies-only": _NODE,
}

ADVICE: dict[str, tuple[Advice, ...]] = {
    "dockerfile.final-base-tools": (
        _a(
            _PY,
            "Build the venv in a builder stage with the same Python, and start the final stage from distroless "
            "python3: no pip, no apt, no compiler ships.",
            """
           FROM python:3.13-trixie
           COPY . /app
           RUN pip install -r /app/requirements.txt
           """,
            """
           FROM debian:trixie-slim AS build
           RUN apt-get update && apt-get install -y --no-install-recommends python3-venv
           RUN python3 -m venv /venv
           COPY requirements.txt .
           RUN /venv/bin/pip install -r requirements.txt

           FROM gcr.io/distroless/python3-debian13:nonroot
           COPY --from=build /venv /venv
           COPY app.py /app/
           """,
            _PY_CHAPTER,
        ),
        _a(
            _NODE,
            "Install production dependencies in a builder stage and start the final stage from distroless "
            "nodejs: no npm, no apt, no compiler ships.",
            """
           FROM node:24-trixie
           COPY . /app
           RUN npm ci
           """,
            """
           FROM node:24-trixie-slim AS build
           WORKDIR /app
           COPY package*.json ./
           RUN npm ci --omit=dev
           COPY . .

           FROM gcr.io/distroless/nodejs24-debian13:nonroot
           COPY --from=build /app /app
           CMD ["/app/server.js"]
           """,
            chapter("distroless", "what-distroless-is-and-is-not"),
        ),
        _a(
            _OTHER,
            "Build in a stage on the full image; start the final stage from distroless (or scratch) and copy "
            "only the result.",
            """
           FROM debian:trixie
           RUN apt-get update && apt-get install -y build-essential
           COPY . /src
           RUN make -C /src
           """,
            """
           FROM debian:trixie AS build
           RUN apt-get update && apt-get install -y build-essential
           COPY . /src
           RUN make -C /src

           FROM gcr.io/distroless/cc-debian13:nonroot
           COPY --from=build /src/out/app /app
           ENTRYPOINT ["/app"]
           """,
            chapter("distroless", "what-distroless-is-and-is-not"),
        ),
    ),
    "dockerfile.no-secrets-in-env": (
        _a(
            _PY + _GO + _OTHER,
            "Pass secrets at run time (`docker run -e`, a secrets manager), or at build time with "
            "`RUN --mount=type=secret,id=…` so they never reach a layer.",
            """
           FROM debian:trixie-slim
           ENV API_TOKEN=tok_3kXo9bQ
           RUN fetch-private-data
           """,
            """
           FROM debian:trixie-slim
           RUN --mount=type=secret,id=api_token,env=API_TOKEN fetch-private-data
           """,
            chapter("single", "a-first-dockerfile"),
        ),
    ),
    "dockerfile.parses": (
        _a(
            _PY + _GO + _OTHER,
            "Put comments on their own line. End a continued line with `\\` and nothing after it.",
            """
           FROM debian:trixie-slim AS build   # build stage
           RUN apt-get update && \\   # refresh
               apt-get install -y --no-install-recommends curl
           """,
            """
           # build stage
           FROM debian:trixie-slim AS build
           # refresh, then install
           RUN apt-get update && \\
               apt-get install -y --no-install-recommends curl
           """,
            chapter("single", "the-seed-example-built-as-written"),
        ),
    ),
    "dockerfile.multi-stage": (
        _a(
            _PY,
            "Build the virtual environment in a builder stage with the same Python, and copy only the venv and "
            "your code into the distroless python3 stage.",
            """
           FROM debian:trixie-slim
           RUN apt-get update && apt-get install -y python3-venv
           COPY . /app
           """,
            """
           FROM debian:trixie-slim AS build
           RUN apt-get update && apt-get install -y --no-install-recommends python3-venv
           RUN python3 -m venv /venv

           FROM gcr.io/distroless/python3-debian13:nonroot
           COPY --from=build /venv /venv
           COPY app.py /app/
           """,
            _PY_CHAPTER,
        ),
        _a(
            _GO,
            "Compile in a golang stage and copy only the binary into a static or scratch final stage.",
            """
           FROM golang:1.27-trixie
           COPY . .
           RUN go build -o /app .
           """,
            """
           FROM golang:1.27-trixie AS build
           COPY . .
           RUN CGO_ENABLED=0 go build -o /app .

           FROM gcr.io/distroless/static-debian13:nonroot
           COPY --from=build /app /app
           """,
            _GO_CHAPTER,
        ),
        _a(
            _OTHER,
            "Name the build stage and copy only its output into a clean final stage.",
            """
           FROM debian:trixie-slim
           COPY site /www
           """,
            """
           FROM debian:trixie-slim AS build
           COPY site /www

           FROM gcr.io/distroless/static-debian13:nonroot
           COPY --from=build /www /www
           """,
            chapter("multi", "what-the-multi-stage-image-holds"),
        ),
    ),
    "dockerfile.final-base": (
        _a(
            _PY,
            "Change the `FROM` of the final stage to one of the allowed bases.",
            "FROM python:3.13-trixie\nCOPY app.py /app/",
            "FROM gcr.io/distroless/python3-debian13:nonroot\nCOPY app.py /app/",
            _PY_CHAPTER,
        ),
        _a(
            _GO,
            "Change the `FROM` of the final stage to one of the allowed bases.",
            "FROM golang:1.27-trixie\nCOPY --from=build /out/app /app",
            "FROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /out/app /app",
            _GO_CHAPTER,
        ),
        _a(
            _OTHER,
            "Change the `FROM` of the final stage to one of the allowed bases.",
            "FROM debian:trixie\nCOPY --from=build /www /www",
            "FROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /www /www",
            chapter("distroless", "the-family"),
        ),
    ),
    "dockerfile.copy-from-defined": (
        _a(
            ALL,
            "Use the exact name given with `AS` on the stage's FROM line (names are case-insensitive).",
            """
           FROM debian:trixie-slim AS builder
           FROM gcr.io/distroless/static-debian13
           COPY --from=build /out /out
           """,
            """
           FROM debian:trixie-slim AS builder
           FROM gcr.io/distroless/static-debian13
           COPY --from=builder /out /out
           """,
            chapter("multi", "what-the-multi-stage-image-holds"),
        ),
    ),
    "dockerfile.exec-form": (
        _a(
            _PY,
            "Write the command as a JSON array with double quotes. On distroless python3 the entrypoint is already "
            "python3: give CMD the script only.",
            "CMD python3 app.py",
            'CMD ["app.py"]\n# on an image whose entrypoint is not python3: CMD ["python3", "app.py"]',
            chapter("distroless", "1-shell-form-cmd"),
        ),
        _a(
            _GO,
            "Write the command as a JSON array with double quotes: the binary is started directly, no shell.",
            "ENTRYPOINT /app",
            'ENTRYPOINT ["/app"]',
            chapter("distroless", "1-shell-form-cmd"),
        ),
        _a(
            _OTHER,
            "Write the command as a JSON array with double quotes: the program is started directly, no shell.",
            "CMD httpd -f -p 8080 -h /www",
            'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
            chapter("distroless", "1-shell-form-cmd"),
        ),
    ),
    "dockerfile.non-root-user": (
        _a(
            _PY + _GO + _OTHER,
            "Add `USER` with a non-root user that exists in the image, after the steps that need root "
            "(or start from a `:nonroot` distroless tag).",
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=build /out /out",
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=build /out /out\nUSER nonroot",
            chapter("distroless", "4-files-owned-by-root-a-process-that-is-not"),
        ),
    ),
    "dockerfile.pinned-bases": (
        _a(
            _PY,
            "Name the version you tested with.",
            "FROM python\nFROM gcr.io/distroless/python3-debian13:latest",
            "FROM debian:trixie-slim\nFROM gcr.io/distroless/python3-debian13:nonroot",
            chapter("single", "a-first-dockerfile"),
        ),
        _a(
            _GO,
            "Name the version you tested with.",
            "FROM golang\nFROM gcr.io/distroless/static-debian13:latest",
            "FROM golang:1.27-trixie\nFROM gcr.io/distroless/static-debian13:nonroot",
            chapter("single", "a-first-dockerfile"),
        ),
        _a(
            _OTHER,
            "Name the version you tested with.",
            "FROM debian\nFROM busybox:latest",
            "FROM debian:trixie-slim\nFROM busybox:1.37",
            chapter("single", "a-first-dockerfile"),
        ),
    ),
    "dockerfile.cache-friendly-order": (
        _a(
            _PY,
            "Copy requirements.txt, install, then copy the source.",
            "COPY . /app\nRUN /venv/bin/pip install -r /app/requirements.txt",
            "COPY requirements.txt /tmp/\nRUN /venv/bin/pip install -r /tmp/requirements.txt\nCOPY . /app",
            chapter("single", "layer-caching-and-instruction-order"),
        ),
        _a(
            _GO,
            "Copy go.mod (and go.sum), download modules, then copy the source.",
            "COPY . .\nRUN go mod download && go build -o /app .",
            "COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .",
            chapter("single", "layer-caching-and-instruction-order"),
        ),
        _a(
            _OTHER,
            "Copy the dependency manifest, install, then copy the source.",
            "COPY . /src\nRUN install-deps /src/deps.txt",
            "COPY deps.txt /src/\nRUN install-deps /src/deps.txt\nCOPY . /src",
            chapter("single", "layer-caching-and-instruction-order"),
        ),
    ),
    "dockerfile.dockerignore": (
        _a(
            _PY,
            "Create `.dockerignore` in the context folder.",
            "# (no .dockerignore)\nCOPY . .",
            "# app/.dockerignore\n.venv\n__pycache__\n.git",
            chapter("single", "dockerignore-what-is-sent-to-the-build"),
        ),
        _a(
            _GO,
            "Create `.dockerignore` in the context folder.",
            "# (no .dockerignore)\nCOPY . .",
            "# app/.dockerignore\nbin/\n.git",
            chapter("single", "dockerignore-what-is-sent-to-the-build"),
        ),
        _a(
            _OTHER,
            "Create `.dockerignore` in the context folder.",
            "# (no .dockerignore)\nCOPY . .",
            "# app/.dockerignore\n.git",
            chapter("single", "dockerignore-what-is-sent-to-the-build"),
        ),
    ),
    "dockerfile.hadolint": (
        _a(
            _PY + _GO + _OTHER,
            "Read the rule's page (https://github.com/hadolint/hadolint/wiki/DLxxxx) and change the line it names.",
            "FROM debian:latest",
            "FROM debian:trixie-slim",
            chapter("single", "a-first-dockerfile"),
        ),
    ),
    "image.builds": (
        _a(
            _PY + _GO + _OTHER,
            "Read the failing step's output: a missing file in COPY (check the context and .dockerignore), "
            "a RUN that exits non-zero, a base image that is not there.",
            "# src/ is not a folder of the context\nCOPY src/ ./app/",
            "COPY . ./app/",
            chapter("single", "a-first-dockerfile"),
        ),
    ),
    "build.dependency-layer-cached": (
        _a(
            _PY,
            "Copy requirements.txt and install before copying the rest of the source.",
            "COPY . /app\nRUN /venv/bin/pip install -r /app/requirements.txt",
            "COPY requirements.txt /tmp/\nRUN /venv/bin/pip install -r /tmp/requirements.txt\nCOPY . /app",
            chapter("single", "layer-caching-and-instruction-order"),
        ),
        _a(
            _GO,
            "Copy go.mod and download modules before copying the rest of the source; keep Go's build cache in a "
            "cache mount.",
            "COPY . .\nRUN go mod download",
            "COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .",
            chapter("single", "layer-caching-and-instruction-order"),
        ),
        _a(
            _OTHER,
            "Copy the dependency manifest and install before copying the rest of the source.",
            "COPY . /src\nRUN install-deps /src/deps.txt",
            "COPY deps.txt /src/\nRUN install-deps /src/deps.txt\nCOPY . /src",
            chapter("single", "layer-caching-and-instruction-order"),
        ),
    ),
    "image.size-budget": (
        _a(
            _PY,
            "Build the venv in a builder stage and copy only the venv and your code into distroless python3; "
            "install with `pip install --no-cache-dir`, and leave pip and build tools in the builder.",
            """
           FROM python:3.13-trixie
           COPY . /app
           RUN pip install -r /app/requirements.txt
           """,
            """
           FROM debian:trixie-slim AS build
           RUN apt-get update && apt-get install -y --no-install-recommends python3-venv
           COPY requirements.txt /tmp/
           RUN python3 -m venv /venv && /venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

           FROM gcr.io/distroless/python3-debian13:nonroot
           COPY --from=build /venv /venv
           COPY app.py /app/
           """,
            _PY_CHAPTER,
        ),
        _a(
            _GO,
            'Compile a static binary (CGO_ENABLED=0, -ldflags="-s -w") and copy only it onto static or scratch.',
            """
           FROM golang:1.27-trixie
           COPY . .
           RUN go build -o /app .
           """,
            """
           FROM golang:1.27-trixie AS build
           COPY . .
           RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /app .

           FROM scratch
           COPY --from=build /app /app
           """,
            _GO_CHAPTER,
        ),
        _a(
            _OTHER,
            "Build in one stage and copy only the result into a small final base.",
            "FROM debian:trixie\nCOPY site /www",
            "FROM debian:trixie AS build\nCOPY site /www\n\nFROM busybox:1.37\nCOPY --from=build /www /www",
            chapter("multi", "what-the-multi-stage-image-holds"),
        ),
    ),
    "image.no-shell": (
        _a(
            _PY,
            "Use distroless python3 (not `:debug`) as the final base, and do not copy a shell in.",
            "FROM python:3.13-slim-trixie",
            "FROM gcr.io/distroless/python3-debian13:nonroot",
            _PY_CHAPTER,
        ),
        _a(
            _NODE,
            "Use distroless nodejs (not `:debug`) as the final base, and do not copy a shell in.",
            "FROM node:24-trixie-slim",
            "FROM gcr.io/distroless/nodejs24-debian13:nonroot",
            chapter("distroless", "the-node-app-on-distroless"),
        ),
    ),
    "image.no-package-manager": (
        _a(
            _PY,
            "Install packages in a builder stage; copy only the venv and your code into distroless python3 "
            "(remove pip from the venv: `pip uninstall --yes pip`).",
            "FROM python:3.13-slim-trixie",
            "FROM gcr.io/distroless/python3-debian13:nonroot",
            _PY_CHAPTER,
        ),
        _a(
            _GO,
            "Compile in a build stage; copy only the binary onto a distroless static or scratch final stage.",
            "FROM golang:1.27-trixie",
            "FROM gcr.io/distroless/static-debian13:nonroot",
            _GO_CHAPTER,
        ),
        _a(
            _OTHER,
            "Install packages in a build stage; copy only what the app needs into a distroless final stage.",
            "FROM debian:trixie-slim",
            "FROM gcr.io/distroless/static-debian13:nonroot",
            chapter("distroless", "what-distroless-is-and-is-not"),
        ),
    ),
    "image.no-compilers": (
        _a(
            _PY,
            "Build wheels (and anything that needs a compiler) in the builder stage; copy only the venv out.",
            "FROM python:3.13-trixie\nRUN pip install -r requirements.txt",
            "FROM debian:trixie-slim AS build\nRUN python3 -m venv /venv && /venv/bin/pip install -r requirements.txt\n\n"
            "FROM gcr.io/distroless/python3-debian13:nonroot\nCOPY --from=build /venv /venv",
            _PY_CHAPTER,
        ),
        _a(
            _NODE + _OTHER,
            "Compile in a build stage and copy only the result out.",
            "FROM buildpack-deps:trixie\nCOPY . /src\nRUN make -C /src",
            "FROM buildpack-deps:trixie AS build\nCOPY . /src\nRUN make -C /src\n\n"
            "FROM gcr.io/distroless/cc-debian13:nonroot\nCOPY --from=build /src/out /out",
            chapter("multi", "what-the-multi-stage-image-holds"),
        ),
    ),
    "image.non-root": (
        _a(
            _PY,
            "Set `USER` in the final stage, or start from `gcr.io/distroless/python3-debian13:nonroot`.",
            "FROM gcr.io/distroless/python3-debian13",
            "FROM gcr.io/distroless/python3-debian13\nUSER nonroot",
            chapter("distroless", "4-files-owned-by-root-a-process-that-is-not"),
        ),
        _a(
            _GO,
            "Set `USER` in the final stage (`USER nonroot` on distroless, a number such as `USER 65532` on scratch).",
            "FROM scratch\nCOPY --from=build /app /app",
            "FROM scratch\nCOPY --from=build /app /app\nUSER 65532:65532",
            chapter("distroless", "4-files-owned-by-root-a-process-that-is-not"),
        ),
        _a(
            _OTHER,
            "Set `USER` in the final stage to a user that is not root (a name the image knows, or a number).",
            "FROM busybox:1.37\nCOPY --from=build /www /www",
            "FROM busybox:1.37\nCOPY --from=build /www /www\nUSER 65534",
            chapter("distroless", "4-files-owned-by-root-a-process-that-is-not"),
        ),
    ),
    "image.files-present": (
        _a(
            _PY,
            "Copy the missing paths into the final stage where CMD expects them.",
            "COPY --from=build /venv /venv",
            "COPY --from=build /venv /venv\nWORKDIR /app\nCOPY app.py ./",
            _PY_CHAPTER,
        ),
        _a(
            _GO + _OTHER,
            "Copy the missing paths into the final stage (`COPY --from=build …`).",
            "COPY --from=build /out/app /app",
            "COPY --from=build /out/app /app\nCOPY --from=build /src/static /static",
            chapter("multi", "what-the-multi-stage-image-holds"),
        ),
    ),
    "runtime.responds": (
        _a(
            _PY,
            "Read the container's last log lines in the report. The app must listen on 0.0.0.0 and the lab's port, "
            "and the image must start the lab's own script: on distroless python3 the entrypoint is already python3, "
            "so CMD names the script only.",
            "CMD python3 -m http.server 8000",
            'CMD ["app.py"]',
            _PY_CHAPTER,
        ),
        _a(
            _GO,
            "Read the container's last log lines in the report. The binary must listen on 0.0.0.0 and the lab's "
            "port, and ENTRYPOINT must start the lab's program.",
            "ENTRYPOINT /app",
            'ENTRYPOINT ["/app"]',
            _GO_CHAPTER,
        ),
        _a(
            _OTHER,
            "Read the container's last log lines in the report. The app must listen on 0.0.0.0 and the lab's "
            "port, and CMD must start it.",
            "CMD httpd -p 8080",
            'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
            chapter("distroless", "1-shell-form-cmd"),
        ),
    ),
    "runtime.stops-cleanly": (
        _a(
            _PY,
            "As PID 1 the Python process gets no default action for SIGTERM and Python installs no handler: add "
            "one (`signal.signal(signal.SIGTERM, stop)` that ends the server), and start the script in the exec form.",
            '# app.py installs no SIGTERM handler\nCMD ["app.py"]',
            '# app.py: signal.signal(signal.SIGTERM, stop)\nCMD ["app.py"]',
            _PY_CHAPTER,
        ),
        _a(
            _GO,
            "As PID 1 the binary gets no default action for SIGTERM: catch it (`signal.NotifyContext(ctx, "
            "syscall.SIGTERM)`, then `server.Shutdown`), and start it in the exec form.",
            "ENTRYPOINT /app",
            'ENTRYPOINT ["/app"]',
            _GO_CHAPTER,
        ),
        _a(
            _OTHER,
            "Use the exec form so the program itself is PID 1 and receives SIGTERM; as PID 1 it must handle "
            "SIGTERM itself (or run under an init such as tini).",
            "CMD httpd -f -p 8080",
            'CMD ["httpd", "-f", "-p", "8080"]',
            chapter("distroless", "1-shell-form-cmd"),
        ),
    ),
    "runtime.output": (
        _a(
            _PY,
            "Read the output in the report: the image must run the lab's script with the lab's arguments "
            "(on distroless python3, CMD names the script only).",
            'CMD ["python3", "tool.py"]',
            'CMD ["tool.py"]',
            _PY_CHAPTER,
        ),
        _a(
            _NODE,
            "Read the output in the report: the image must run the lab's script with the lab's arguments "
            "(on distroless nodejs, CMD names the script only).",
            'CMD ["node", "cli.js"]',
            'CMD ["cli.js"]',
            chapter("distroless", "the-node-app-on-distroless"),
        ),
        _a(
            _OTHER,
            "Read the output in the report: the image must run the lab's program with the lab's arguments.",
            "CMD tool --help",
            'ENTRYPOINT ["/usr/local/bin/tool"]',
            chapter("distroless", "1-shell-form-cmd"),
        ),
    ),
    "runtime.no-shell-exec": (
        _a(
            _PY,
            "Use distroless python3 without `:debug` as the final image; debug with an ephemeral debug container.",
            "FROM gcr.io/distroless/python3-debian13:debug",
            "FROM gcr.io/distroless/python3-debian13:nonroot",
            chapter("debugging", "the-habit-that-stops-working"),
        ),
        _a(
            _GO + _OTHER,
            "Use a distroless (not `:debug`) or scratch final image; debug with an ephemeral debug container.",
            "FROM gcr.io/distroless/static-debian13:debug",
            "FROM gcr.io/distroless/static-debian13:nonroot",
            chapter("debugging", "the-habit-that-stops-working"),
        ),
    ),
    "structure-test": (
        _a(
            _PY + _GO + _OTHER,
            "Read which test failed and why in the report, and change the final stage so the file the "
            "test names is there (or gone), or the metadata it names is set.",
            "FROM gcr.io/distroless/static-debian13\nCOPY --from=build /out /out",
            "FROM gcr.io/distroless/static-debian13:nonroot\nCOPY --from=build /out/app /app",
            chapter("distroless", "what-distroless-is-and-is-not"),
        ),
    ),
}


def advice(definition, language: str | None) -> Advice:
    """The fix, before/after and chapter of a check for a lab of ``language`` (None: the check's own)."""
    own = Advice(
        DEFAULT_FITS.get(definition.id, ALL), definition.fix, definition.before, definition.after, definition.chapter
    )
    if language is None or language in own.languages:
        return own
    for candidate in ADVICE.get(definition.id, ()):
        if language in candidate.languages:
            return candidate
    return own


def variants(definition) -> list[Advice]:
    """Every advice of a check: its own first, then the other languages' (for the book's catalogue)."""
    own = Advice(
        DEFAULT_FITS.get(definition.id, ALL), definition.fix, definition.before, definition.after, definition.chapter
    )
    return [own, *ADVICE.get(definition.id, ())]


# -- hints chosen from the evidence --------------------------------------------------------------


@dataclass(frozen=True)
class Hint:
    """A hint shown when a check fails for one reason (matched in the evidence), for some languages."""

    id: str
    checks: tuple[str, ...]
    languages: tuple[str, ...]
    text: str


_RUNTIME = ("runtime.responds", "runtime.output", "runtime.stops-cleanly")

HINTS: tuple[Hint, ...] = (
    # -- the container did not start, or died at once --
    Hint(
        "no-shell",
        _RUNTIME,
        _NODE,
        "The image has no /bin/sh, so a shell-form CMD/ENTRYPOINT cannot run. Use the exec "
        'form: CMD ["server.js"] (distroless nodejs already starts node).',
    ),
    Hint(
        "no-shell",
        _RUNTIME,
        _PY,
        "The image has no /bin/sh, so a shell-form CMD/ENTRYPOINT cannot run. Use the exec "
        'form: CMD ["app.py"] (distroless python3 already starts python3).',
    ),
    Hint(
        "no-shell",
        _RUNTIME,
        _GO,
        'The image has no /bin/sh, so a shell-form CMD/ENTRYPOINT cannot run. Use the exec form: ENTRYPOINT ["/app"].',
    ),
    Hint(
        "no-shell",
        _RUNTIME,
        _OTHER,
        "The image has no /bin/sh, so a shell-form CMD/ENTRYPOINT cannot run. Use the exec "
        'form: CMD ["/path/to/program", "arg"].',
    ),
    Hint(
        "interpreter-twice",
        _RUNTIME,
        _PY,
        "The image's entrypoint is already python3 (distroless python3), so "
        'CMD ["python3", "app.py"] runs `python3 python3 app.py` and Python looks for a script named {missing}. '
        'Give CMD the script only: CMD ["app.py"].',
    ),
    Hint(
        "interpreter-twice",
        _RUNTIME,
        _NODE,
        "The image's entrypoint is already node (distroless nodejs), so "
        'CMD ["node", "server.js"] runs `node node server.js`. Give CMD the script only: CMD ["server.js"].',
    ),
    Hint(
        "script-missing",
        _RUNTIME,
        _PY,
        "Python cannot open {missing}: the script is not at that path in the final "
        "image. Check WORKDIR, your COPY lines and CMD.",
    ),
    Hint(
        "module-missing",
        _RUNTIME,
        _PY,
        "Python cannot import {missing}: the packages are not where this interpreter "
        "looks. Copy the venv from a builder with the same Python at the same path (debian:trixie-slim + python3-venv) "
        'and start the app through it (ENTRYPOINT ["/venv/bin/python3"]).',
    ),
    Hint(
        "module-missing",
        _RUNTIME,
        _NODE,
        "Node cannot find {missing}: the file or package is not in the final image, "
        "or CMD names the wrong path. Check WORKDIR, your COPY --from lines and CMD.",
    ),
    Hint(
        "not-on-path",
        _RUNTIME,
        ALL,
        "{missing} is not a program in the final image (not on its PATH). The final base "
        "may not have it (distroless images have no shell and few programs): name a program the image really holds, "
        "in the exec form.",
    ),
    Hint(
        "dynamic-binary",
        _RUNTIME,
        _GO,
        "The binary is there but cannot start: it is linked against a C library the "
        "image does not have. Build it with CGO_ENABLED=0 for distroless/static or scratch.",
    ),
    Hint(
        "dynamic-binary",
        _RUNTIME,
        _OTHER,
        "The program is there but cannot start: it needs a loader or libraries "
        "(a C library) that the final image does not have. Build it statically, or use a base that has its libraries.",
    ),
    Hint(
        "file-missing",
        _RUNTIME,
        _PY + _NODE,
        "A file the container starts with is missing: the script, or the "
        "interpreter a `#!` line names. Check CMD, ENTRYPOINT and your COPY lines.",
    ),
    Hint(
        "permission",
        _RUNTIME,
        ALL,
        "Permission denied: the user the container runs as cannot read or run the file. Check USER and file modes.",
    ),
    Hint("port", _RUNTIME, ALL, "The app could not open its port. Ports below 1024 need root; use the lab's port."),
    # -- the process that answered is not the lab's app --
    Hint(
        "other-program",
        _RUNTIME,
        ALL,
        "Ship and start the lab's own app ({entry}) as "
        "the container's program: the grader checks which program answers, not only what it answers.",
    ),
    # -- SIGTERM --
    Hint(
        "shell-pid1",
        ("runtime.stops-cleanly",),
        ALL,
        "A shell is PID 1 ({pid1}) and does not pass SIGTERM on to "
        "the app. Use the exec form (a JSON array) so the app itself is PID 1.",
    ),
)


def evidence_hint(hint_id: str, check_id: str, language: str, **facts: str) -> str | None:
    """The hint ``hint_id`` for ``check_id`` in a lab of ``language``, filled in with ``facts``; None if none fits."""
    for hint in HINTS:
        if hint.id == hint_id and check_id in hint.checks and language in hint.languages:
            try:
                return hint.text.format(**facts)
            except (KeyError, IndexError):
                return hint.text
    return None


# The patterns below are compiled on first use (re caches them), not at import: only runtime
# checks read a container's error, and `stagelab lint` imports this module too.
_INTERPRETERS = r"^(python[\d.]*|node|nodejs)$"


def start_failure_hint(text: str, check_id: str, language: str) -> tuple[str, str | None]:
    """The reason a container died at once, from its error and logs: (hint id, hint text)."""

    def pick(hint_id: str, **facts: str) -> tuple[str, str | None]:
        return hint_id, evidence_hint(hint_id, check_id, language, **facts)

    if re.search(r'(/bin/sh|"sh"|exec: "?sh).*(no such file|not found)', text, re.I | re.S):
        return pick("no-shell")
    match = re.search(r"python[\d.]*: can't open file '([^']+)'", text) if language == "python" else None
    if match:
        missing = match.group(1)
        if re.match(_INTERPRETERS, Path(missing).name):
            return pick("interpreter-twice", missing=f"'{Path(missing).name}'")
        return pick("script-missing", missing=f"'{missing}'")
    match = re.search(r"ModuleNotFoundError: No module named '([^']+)'", text) if language == "python" else None
    if match:
        return pick("module-missing", missing=f"'{match.group(1)}'")
    match = re.search(r"Cannot find module '([^']+)'", text) if language == "node" else None
    if match:
        missing = match.group(1)
        if re.match(_INTERPRETERS, Path(missing).name):
            return pick("interpreter-twice")
        return pick("module-missing", missing=f"'{missing}'")
    match = re.search(r'exec: "([^"]+)": executable file not found', text)
    if match:
        return pick("not-on-path", missing=f"`{match.group(1)}`")
    if re.search(r"no such file or directory", text, re.I):
        if language in ("go", "other"):
            return pick("dynamic-binary")
        return pick("file-missing")
    if re.search(r"permission denied", text, re.I):
        return pick("permission")
    if re.search(r"EADDRINUSE|EACCES.*listen|bind|Address already in use", text):
        return pick("port")
    return "", None


# -- the lab's language ---------------------------------------------------------------------------


def language_from_context(context: Path | None) -> str | None:
    """python, node or go from the build context's files (go.mod, package.json, *.py); None if unclear."""
    if context is None or not context.is_dir():
        return None
    if (context / "go.mod").is_file():
        return "go"
    if (context / "package.json").is_file() and any(context.glob("*.js")):
        return "node"
    if (context / "requirements.txt").is_file() or (context / "pyproject.toml").is_file() or any(context.glob("*.py")):
        return "python"
    if (context / "package.json").is_file():
        return "node"
    return None


def language_from_base(reference: str | None) -> str | None:
    """python, node or go from a final base image reference; None if it does not tell."""
    if not reference:
        return None
    name = reference.lower()
    if "python" in name:
        return "python"
    if "nodejs" in name or re.match(r"^(docker\.io/(library/)?)?node:", name):
        return "node"
    if "golang" in name:
        return "go"
    return None


def language_of(subject) -> str:
    """The lab's language: declared in lab.yaml, else from the build context, else from the final base; or "other"."""
    spec = getattr(subject, "spec", None)
    if spec is not None and getattr(spec, "language", None):
        return spec.language
    found = language_from_context(getattr(subject, "context_dir", None))
    if found:
        return found
    try:
        return language_from_base(subject.final_base_image()) or "other"
    except Exception:  # no parsable Dockerfile: nothing more to learn
        return "other"
