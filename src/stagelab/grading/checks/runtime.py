"""Runtime checks: run the built image as the lab's ``run:`` section says and watch what it does."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .base import CouldNotGrade, Outcome, Param, Params, Phase, Requirement, SkipCheck, chapter, check, failed, passed

if TYPE_CHECKING:
    from ...engine import ProbeResult
    from ..app_identity import Verdict
    from ..subject import Subject

RUNTIME = dict(family="runtime", phase=Phase.RUNTIME)


#: What the runtime checks need from lab.yaml's run: section (checked when the spec is read).
_NEEDS_PORT = Requirement(("run.port",), "run.port (and run.http) to know where the app answers")
_NEEDS_EXPECTED_OUTPUT = Requirement(
    ("run.output_contains", "run.output_regex", "run.exit_code"),
    "run.output_contains, run.output_regex or run.exit_code",
)


def _tail(logs: str, lines: int = 8) -> str:
    kept = [line for line in (logs or "").splitlines() if line.strip()][-lines:]
    return "\n".join(kept)


def _why_it_did_not_start(subject: Subject, check_id: str, text: str) -> str | None:
    """A hint for the usual reasons a container dies at once, from its error and logs, in the lab's language."""
    from ..hints import start_failure_hint

    return start_failure_hint(text, check_id, subject.language)[1]


def _identity(subject: Subject, result: ProbeResult, check_id: str) -> Verdict | None:
    """The verdict on which program ran (see app_identity); raises CouldNotGrade if the engine could not tell."""
    verdict = result.inspection
    if verdict is None:
        return None
    if verdict.error:
        raise CouldNotGrade(verdict.error)
    return verdict


def _not_the_app(subject: Subject, verdict: Verdict, check_id: str, **seen: Any) -> Outcome:
    from ..hints import evidence_hint

    entry = subject.app_entry()
    hint = evidence_hint(
        "other-program", check_id, subject.language, entry=entry.describe() if entry else "the lab's app"
    )
    return failed(verdict.message, hint, processes=list(verdict.processes), **seen)


@check(
    id="runtime.responds",
    title="The app answers on its port",
    **RUNTIME,
    what="Starts the image (memory-limited, published on 127.0.0.1 only), waits for the app to answer HTTP on the "
    "lab's port within its time limit, and checks the status and the body. `{nonce}` in the lab's path and "
    "expected body is a fresh random token per grading, so a canned answer fails. While the app runs, the "
    "container's processes (the engine's top API) and the files they run are compared with the lab's app "
    "(`run.app`): a generic responder that echoes the token, or the right interpreter running another script, fails.",
    why="An image that builds is not an image that works: a shell-form CMD on distroless, a missing file, a "
    "server listening on 127.0.0.1 inside the container all build fine and fail here.",
    fix="Read the container's last log lines in the report. The app must listen on 0.0.0.0 and the lab's port, "
    "and CMD must start it.",
    before="""
        CMD node server.js
        """,
    after="""
        CMD ["server.js"]
        """,
    chapter=chapter("distroless", "the-node-app-on-distroless"),
    needs=(_NEEDS_PORT,),
)
def responds(subject: Subject, params: Params) -> Outcome:
    run = subject.spec.run
    result = subject.http_probe()
    logs = _tail(result.logs)
    details = {"logs": logs, "startup_s": result.startup_s, "http_status": result.http_status}
    if not result.started:
        text = f"{result.error or ''}\n{result.engine_message or ''}\n{result.logs}"
        return failed(
            f"the container did not start: {result.error}",
            _why_it_did_not_start(subject, "runtime.responds", text),
            **details,
        )
    if result.oom_killed:
        return failed(
            f"the container was killed: out of memory (limit {run.memory_mb} MB)",
            "The app uses more memory than the lab allows; look for a leak or a huge allocation at start.",
            **details,
        )
    if result.loopback_only:
        return failed(
            f"the app listens on port {run.port} only on 127.0.0.1, inside its own container: "
            "nothing outside the container can reach it",
            f"Make it listen on 0.0.0.0:{run.port}, not 127.0.0.1/localhost: a published port "
            f"(`docker run -p {run.port}:{run.port}`) reaches the container's own network interface, never its loopback.",
            **details,
        )
    if not result.ready:
        if result.exit_code is not None:
            shown = f":\n{logs}" if logs else " (it printed nothing)"
            return failed(
                f"the container exited with code {result.exit_code} before answering on port {run.port}{shown}",
                _why_it_did_not_start(subject, "runtime.responds", f"{result.error}\n{result.logs}"),
                **details,
            )
        return failed(
            f"nothing answered on port {run.port} within {run.timeout_s:g} s"
            + (f"; last logs:\n{logs}" if logs else ""),
            f"Does the app listen on 0.0.0.0:{run.port} (not 127.0.0.1, not another port)? Does CMD start it, "
            "rather than something that never opens the port?",
            **details,
        )
    verdict = _identity(subject, result, "runtime.responds")
    if verdict is not None and not verdict.is_app:
        return _not_the_app(subject, verdict, "runtime.responds", **details)
    http = run.http
    expected_status = http.status if http else 200
    body = result.http_body or ""
    path = subject.substitute(http.path if http else "/")
    if result.http_status != expected_status:
        return failed(f"GET {path} answered {result.http_status}; expected {expected_status}", None, **details)
    if http and http.body_contains is not None:
        wanted = subject.substitute(http.body_contains)
        if wanted not in body:
            return failed(
                f"GET {path} answered {result.http_status} but the body does not contain the expected text: "
                f"{body[:120]!r}",
                "The running program is not the lab's app (or not all of it). Ship and start the real app.",
                **details,
            )
    if http and http.body_regex is not None:
        pattern = subject.substitute(http.body_regex)
        if not re.search(pattern, body):
            return failed(
                f"GET {path}: the body does not match /{http.body_regex}/: {body[:120]!r}",
                "The running program is not the lab's app (or not all of it).",
                **details,
            )
    served_by = f"; {verdict.message}" if verdict is not None and verdict.checked else ""
    return passed(f"GET {path} → {result.http_status} after {result.startup_s or 0:.1f} s{served_by}", **details)


@check(
    id="runtime.stops-cleanly",
    title="The app stops when asked",
    **RUNTIME,
    what="After the app answered, sends SIGTERM (what `docker stop` does) and checks that the container exits "
    "within a few seconds instead of being killed.",
    why="Orchestrators stop containers all the time (deploys, scaling). An app that ignores SIGTERM is killed "
    "after a grace period: slow deploys and dropped requests. A shell-form CMD is the usual cause — the shell "
    "is PID 1 and does not pass the signal on.",
    fix="As PID 1 the app gets no default action for SIGTERM: handle it "
    '(`process.on("SIGTERM", () => server.close())`), and use the exec form so no shell sits in between.',
    before="""
        CMD node server.js
        """,
    after="""
        CMD ["node", "server.js"]
        """,
    chapter=chapter("distroless", "the-node-app-on-distroless"),
    needs=(_NEEDS_PORT,),
)
def stops_cleanly(subject: Subject, params: Params) -> Outcome:
    from ..hints import evidence_hint

    result = subject.http_probe()
    if not result.ready:
        raise SkipCheck("the app never answered (see runtime.responds)")
    verdict = _identity(subject, result, "runtime.stops-cleanly")
    if verdict is not None and not verdict.is_app:
        return _not_the_app(subject, verdict, "runtime.stops-cleanly", stop_s=result.stop_s)
    if not result.stopped_cleanly:
        took = f" (still running after {result.stop_s:.1f} s)" if result.stop_s else ""
        hint = None
        pid1 = verdict.pid1 if verdict is not None else ""
        if pid1 and pid1.split()[0].rsplit("/", 1)[-1] in ("sh", "bash", "dash", "ash"):
            hint = evidence_hint("shell-pid1", "runtime.stops-cleanly", subject.language, pid1=f"`{pid1[:60]}`")
        return failed(f"the app did not exit on SIGTERM{took}", hint, stop_s=result.stop_s)
    return passed(f"exited {result.stop_s or 0:.1f} s after SIGTERM", stop_s=result.stop_s)


@check(
    id="runtime.output",
    title="The program prints the expected output",
    **RUNTIME,
    what="Runs the image with the lab's `run.command` arguments, waits for it to exit, and checks its exit code "
    "and output. `{nonce}` in the command and expected output is a fresh random token per grading; the program "
    "the engine started is compared with the lab's app (`run.app`), as for `runtime.responds`.",
    why="For a command-line tool, the output and exit code are the behaviour. A binary that cannot start on its "
    "base (a CGO binary on `static`, a missing library) builds fine and fails here.",
    fix="Read the output in the report. For Go on distroless/static or scratch, build with CGO_ENABLED=0.",
    before="""
        RUN go build -o /out/app .
        """,
    after="""
        RUN CGO_ENABLED=0 go build -o /out/app .
        """,
    chapter=chapter("multi", "go-from-golang-to-scratch"),
    needs=(_NEEDS_EXPECTED_OUTPUT,),
)
def output(subject: Subject, params: Params) -> Outcome:
    run = subject.spec.run
    result = subject.command_probe()
    logs = result.logs or ""
    details = {"logs": _tail(logs, 15), "exit_code": result.exit_code}
    if not result.started:
        text = f"{result.error}\n{result.engine_message or ''}\n{logs}"
        return failed(
            f"the container did not start: {result.error}",
            _why_it_did_not_start(subject, "runtime.output", text),
            **details,
        )
    if result.timed_out:
        return failed(f"the program was still running after {run.timeout_s:g} s", None, **details)
    if run.exit_code is not None and result.exit_code != run.exit_code:
        return failed(
            f"exited with code {result.exit_code} (expected {run.exit_code})"
            + (f":\n{_tail(logs)}" if logs.strip() else ""),
            _why_it_did_not_start(subject, "runtime.output", f"{result.error}\n{logs}"),
            **details,
        )
    verdict = _identity(subject, result, "runtime.output")
    if verdict is not None and not verdict.is_app:
        return _not_the_app(subject, verdict, "runtime.output", **details)
    if run.output_contains is not None:
        wanted = subject.substitute(run.output_contains)
        if wanted not in logs:
            return failed(
                f"the output does not contain the expected text: {_tail(logs, 3)!r}",
                "The program that ran is not the lab's program (or it got the wrong arguments).",
                **details,
            )
    if run.output_regex is not None and not re.search(subject.substitute(run.output_regex), logs):
        return failed(f"the output does not match /{run.output_regex}/: {_tail(logs, 3)!r}", None, **details)
    return passed(f"exit code {result.exit_code}, expected output printed", **details)


@check(
    id="runtime.no-shell-exec",
    title="Nobody can open a shell in the container",
    **RUNTIME,
    what="Tries what an attacker or a curious colleague would: `docker exec -it <container> sh` (and the other "
    "shells the lab lists). Every attempt must fail.",
    why="Checks behaviour, not file names: a shell copied under another name, or busybox in a `:debug` image, "
    "still opens. No shell means no interactive foothold.",
    fix="Use a distroless (not `:debug`) or scratch final image; debug with an ephemeral debug container instead.",
    before="""
        FROM gcr.io/distroless/nodejs24-debian13:debug
        """,
    after="""
        FROM gcr.io/distroless/nodejs24-debian13
        """,
    chapter=chapter("debugging", "the-habit-that-stops-working"),
    params=(Param("shells", ["sh", "/bin/sh", "bash", "/busybox/sh"], "shells to try", (list,)),),
    example_builds=True,
)
def no_shell_exec(subject: Subject, params: Params) -> Outcome:
    subject.require_image()
    for shell in params["shells"]:
        attempt = subject.shell_attempt(str(shell))
        if attempt.succeeded:
            return failed(f"`{shell}` opened a shell in the container", None, shell=str(shell))
    return passed(f"no shell opened ({', '.join(map(str, params['shells']))} all failed)")
