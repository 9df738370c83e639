"""Image checks: what the built image contains, read from the engine's image report."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from ...units import MB, format_size
from .base import Outcome, Param, Params, Phase, chapter, check, failed, passed

if TYPE_CHECKING:
    from ..subject import Subject

IMAGE = dict(family="image", phase=Phase.IMAGE)


def _paths(report) -> list[str]:
    return ["/" + str(p).lstrip("/") for p in report.files]


def _listing(items, limit: int = 5) -> str:
    items = [str(i) for i in items]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


@check(
    id="image.size-budget",
    title="The image fits the size budget",
    **IMAGE,
    what="The image's size (uncompressed, as `docker images` shows it, in decimal MB) is at most the lab's budget.",
    why="Every megabyte is stored, pushed, pulled on every node and scanned for vulnerabilities. The size is "
    "the quickest sign that build tools or caches shipped.",
    fix="Build in one stage and copy only the result into a small final base; install production dependencies only.",
    before="""
        FROM node:24-trixie
        COPY . .
        RUN npm install
        """,
    after="""
        FROM node:24-trixie AS build
        WORKDIR /app
        COPY package*.json ./
        RUN npm ci --omit=dev
        COPY . .

        FROM gcr.io/distroless/nodejs24-debian13
        COPY --from=build /app /app
        """,
    chapter=chapter("multi", "what-the-multi-stage-image-holds"),
    params=(Param("max_mb", 200, "largest allowed size in MB (10^6 bytes)", (int, float)),),
)
def size_budget(subject: Subject, params: Params) -> Outcome:
    report = subject.image_report()
    size_mb = report.size_bytes / MB
    budget = float(params["max_mb"])
    if size_mb > budget:
        return failed(f"the image is {size_mb:.1f} MB; the budget is {budget:g} MB", None, size_bytes=report.size_bytes)
    return passed(f"{size_mb:.1f} MB (budget {budget:g} MB)", size_bytes=report.size_bytes)


@check(
    id="image.no-shell",
    title="No shell in the final image",
    **IMAGE,
    what="The final image holds no shell (sh, bash, dash, busybox…).",
    why="An attacker who gets code execution in your app uses the shell to look around and download tools. "
    "Without one, most exploit scripts stop there.",
    fix="Use a distroless (not `:debug`) or scratch final base, and do not copy a shell in.",
    before="""
        FROM debian:trixie-slim
        """,
    after="""
        FROM gcr.io/distroless/static-debian13
        """,
    chapter=chapter("distroless", "what-distroless-is-and-is-not"),
    example_builds=True,
)
def no_shell(subject: Subject, params: Params) -> Outcome:
    surface = subject.image_report().surface
    if surface.has_shell:
        return failed(f"the image has a shell: {_listing(surface.shells)}", None, shells=list(map(str, surface.shells)))
    return passed("no shell")


@check(
    id="image.no-package-manager",
    title="No package manager in the final image",
    **IMAGE,
    what="The final image holds no package manager (apt, dpkg, apk, pip, npm…).",
    why="A package manager lets anyone inside the container install tools, and ships its own database and caches.",
    fix="Install packages in a build stage; copy only what the app needs into a distroless final stage.",
    before="""
        FROM node:24-trixie-slim
        """,
    after="""
        FROM gcr.io/distroless/nodejs24-debian13
        """,
    chapter=chapter("distroless", "what-distroless-is-and-is-not"),
    example_builds=True,
)
def no_package_manager(subject: Subject, params: Params) -> Outcome:
    surface = subject.image_report().surface
    if surface.has_package_manager:
        return failed(f"the image has a package manager: {_listing(surface.package_managers)}", None)
    return passed("no package manager")


@check(
    id="image.no-compilers",
    title="No compilers in the final image",
    **IMAGE,
    what="The final image holds no compiler or build toolchain (gcc, cc, go, make…).",
    why="Compilers are needed to build, not to run. In the final image they add hundreds of MB and let an "
    "attacker build tools in place.",
    fix="Compile in a build stage and copy only the binary out.",
    before="""
        FROM golang:1.27
        COPY . .
        RUN go build -o /app .
        """,
    after="""
        FROM golang:1.27 AS build
        COPY . .
        RUN CGO_ENABLED=0 go build -o /app .

        FROM gcr.io/distroless/static-debian13
        COPY --from=build /app /app
        """,
    chapter=chapter("multi", "what-the-multi-stage-image-holds"),
)
def no_compilers(subject: Subject, params: Params) -> Outcome:
    surface = subject.image_report().surface
    if surface.has_compilers:
        return failed(f"the image has compilers: {_listing(surface.compilers)}", None)
    return passed("no compilers")


_NPM = re.compile(r"(/node_modules/npm/package\.json|/bin/npm|/bin/npx|npm-cli\.js)$")


@check(
    id="image.no-npm",
    title="No npm in the final image",
    **IMAGE,
    what="The final image holds no npm (nor npx): only node and your app.",
    why="npm is a build tool. In production it is dead weight (~20 MB) and a way to fetch and run code.",
    fix="Install with npm in the build stage; the distroless Node.js image has node but no npm.",
    before="""
        FROM node:24-trixie-slim
        COPY --from=build /app /app
        """,
    after="""
        FROM gcr.io/distroless/nodejs24-debian13
        COPY --from=build /app /app
        """,
    chapter=chapter("distroless", "the-node-app-on-distroless"),
)
def no_npm(subject: Subject, params: Params) -> Outcome:
    report = subject.image_report()
    found = [p for p in _paths(report) if _NPM.search(p) and "/node_modules/npm/node_modules/" not in p]
    managers = [str(m) for m in getattr(report.surface, "package_managers", ()) if "npm" in str(m)]
    if found or managers:
        return failed(f"npm is in the image: {_listing(found or managers)}", None)
    return passed("no npm")


@check(
    id="image.non-root",
    title="The image runs as a non-root user",
    **IMAGE,
    what="The image's configured user (`docker inspect` Config.User) is not root.",
    why="Checked on the built image, not the text: a USER set in a stage that is not the final one, or "
    "overridden later, does not count.",
    fix="Set `USER` in the final stage (e.g. `USER nonroot` on distroless, `USER node` on node images).",
    before="""
        FROM gcr.io/distroless/nodejs24-debian13
        """,
    after="""
        FROM gcr.io/distroless/nodejs24-debian13
        USER nonroot
        """,
    chapter=chapter("distroless", "4-files-owned-by-root-a-process-that-is-not"),
    example_builds=True,
)
def non_root(subject: Subject, params: Params) -> Outcome:
    report = subject.image_report()
    user = report.config.user or ""
    if not report.non_root:
        shown = user or "(not set: root)"
        return failed(f"the image runs as {shown}", None, user=user)
    return passed(f"runs as {user}", user=user)


@check(
    id="image.production-dependencies-only",
    title="Only production dependencies ship",
    **IMAGE,
    what="Every package in `dependencies` of the app's package.json is in the image's node_modules, and none "
    "of `devDependencies` is.",
    why="Dev dependencies (test runners, linters, bundlers) can be most of node_modules: size and vulnerabilities "
    "for nothing. Missing production dependencies crash the app at its first `require`.",
    fix="Install with `npm ci --omit=dev` in the stage you copy node_modules from.",
    before="""
        RUN npm ci
        """,
    after="""
        RUN npm ci --omit=dev
        """,
    chapter=chapter("multi", "what-the-multi-stage-image-holds"),
    params=(
        Param("package_json", "package.json", "the app's package.json, relative to the build context", (str,)),
        Param("node_modules", "/app/node_modules", "where node_modules is in the image", (str,)),
    ),
)
def production_dependencies_only(subject: Subject, params: Params) -> Outcome:
    report = subject.image_report()
    manifest_path = subject.context_dir / params["package_json"] if subject.context_dir else None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path else {}
    except (OSError, json.JSONDecodeError) as error:
        return failed(f"{params['package_json']} in the context cannot be read ({error})", None)
    root = "/" + params["node_modules"].strip("/")
    dev = sorted((manifest.get("devDependencies") or {}).keys())
    prod = sorted((manifest.get("dependencies") or {}).keys())
    shipped = [name for name in dev if report.exists(f"{root}/{name}/package.json")]
    missing = [name for name in prod if not report.exists(f"{root}/{name}/package.json")]
    if missing:
        return failed(
            f"production dependencies missing from {root}: {_listing(missing)} — the app will fail at its first require",
            f"Copy node_modules into the final stage at {root} (e.g. `COPY --from=build /app/node_modules {root}`).",
            missing=missing,
        )
    if shipped:
        return failed(f"dev dependencies shipped in {root}: {_listing(shipped)}", None, shipped=shipped)
    return passed(f"{len(prod)} production dependencies present, no dev dependencies")


@check(
    id="image.files-present",
    title="The app's files are in the image",
    **IMAGE,
    what="Each path the lab lists exists in the final image.",
    why="The image must hold the real app: its code, its dependencies, its assets — in the place the lab "
    "documents, which is where CMD and the platform expect them.",
    fix="Copy the missing paths into the final stage (`COPY --from=build …`).",
    before="""
        COPY --from=build /app/server.js /app/
        """,
    after="""
        COPY --from=build /app /app
        """,
    chapter=chapter("multi", "the-node-app-in-stages"),
    params=(Param("paths", [], "absolute paths that must exist in the image", (list,)),),
)
def files_present(subject: Subject, params: Params) -> Outcome:
    report = subject.image_report()
    missing = [p for p in params["paths"] if not report.exists("/" + str(p).lstrip("/"))]
    if missing:
        return failed(f"missing from the image: {_listing(missing)}", None, missing=missing)
    return passed(f"all {len(params['paths'])} expected paths present")


@check(
    id="image.layer-efficiency",
    title="Layers do not waste space",
    **IMAGE,
    what="dive's image efficiency score (bytes kept ÷ bytes stored over all layers) is at least the lab's threshold.",
    why="A file deleted in a later layer still takes space in the earlier one. `RUN apt-get install …` followed "
    "by `RUN rm -rf /var/lib/apt/lists` saves nothing: both layers ship.",
    fix="Create and remove temporary files in the same RUN, or leave them in a build stage.",
    before="""
        RUN apt-get update && apt-get install -y curl
        RUN rm -rf /var/lib/apt/lists/*
        """,
    after="""
        RUN apt-get update && apt-get install -y curl \\
         && rm -rf /var/lib/apt/lists/*
        """,
    chapter=chapter("single", "what-is-inside"),
    params=(Param("min_percent", 95, "lowest allowed efficiency, in percent", (int, float)),),
)
def layer_efficiency(subject: Subject, params: Params) -> Outcome:
    report = subject.image_report()
    percent = 100.0 * float(report.efficiency)
    wasted = report.wasted_bytes
    worst = [w.path for w in report.efficiency_details.wasted_paths[:3]]
    if percent < float(params["min_percent"]):
        where = f"; most wasted: {', '.join(worst)}" if worst else ""
        return failed(
            f"efficiency {percent:.1f}% (needs {params['min_percent']}%): {format_size(wasted)} wasted{where}",
            None,
            wasted_bytes=wasted,
        )
    return passed(f"efficiency {percent:.1f}% ({format_size(wasted)} wasted)")
