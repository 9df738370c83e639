"""The instructor's view: grade every learner's current working copy in their own engine.

For each learner whose engine runs, a fresh grader container (the hub's JupyterLab image, so
the grading code is the course's and not the learner's copy) joins that engine's network
namespace, mounts the learner's home read-only, and runs ``stagelab grade`` with the
instructor's lab folder (its ``lab.yaml`` and checks) and the learner's copy of that lab as
the submission. The reports become the usual gradebook entries (CSV and HTML).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..engine import workshop
from ..errors import StagelabError
from ..grading.gradebook import Entry, _not_graded
from ..grading.results import GradeReport
from ..grading.spec import load_spec
from .settings import HubSettings

#: Where the learner's copy of the course lives in their home volume.
COURSE_IN_HOME = "/home/learner/course"


def grade_learner(settings: HubSettings, learner: str, lab_dir: Path) -> GradeReport:
    """Grade one learner's working copy of ``lab_dir`` in their engine; ``could_not_grade`` on failure."""
    lab_dir = Path(lab_dir).resolve()
    command = ["stagelab", "grade", f"/tmp/lab/{lab_dir.name}", "--submission", f"{COURSE_IN_HOME}/labs/{lab_dir.name}",
               "--format", "json", "--no-progress", "--quiet"]  # fmt: skip
    environment = {"HOME": "/tmp", "STAGELAB_STATE_DIR": "/tmp/stagelab-state", "STAGELAB_REPO": COURSE_IN_HOME}
    code, output = workshop.run_in_learner_netns(
        settings.hub, learner, command, environment=environment, copy_in={f"/tmp/lab/{lab_dir.name}": lab_dir}
    )
    try:
        return GradeReport.from_dict(json.loads(output))
    except (ValueError, TypeError) as error:
        tail = "\n".join(output.strip().splitlines()[-5:])
        return _not_graded(lab_dir, f"the grader exited with {code} and no report ({error}): {tail}")


def grade_all(settings: HubSettings, lab_dir: str | Path, *, jobs: int = 4,
              on_done: Callable[[Entry], None] | None = None) -> list[Entry]:  # fmt: skip
    """Grade every learner whose engine runs; sorted by learner. Each learner's build uses their own engine."""
    lab_dir = Path(lab_dir)
    load_spec(lab_dir)  # a bad spec stops here, once
    engines = workshop.learner_engines(settings.hub)
    if not engines:
        raise StagelabError("No learner's server runs on this hub: nothing to grade.")
    entries: list[Entry] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_learner, settings, engine.learner, lab_dir): engine.learner for engine in engines}
        for future in as_completed(futures):
            learner = futures[future]
            try:
                report = future.result()
            except StagelabError as error:
                report = _not_graded(lab_dir, str(error))
            entry = Entry(learner, report)
            entries.append(entry)
            if on_done is not None:
                on_done(entry)
    return sorted(entries, key=lambda e: e.learner)
