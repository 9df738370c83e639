"""Both keepers of a build's RUN steps (our cgroup, the engine's own) answer what a build asks, the same way."""

from __future__ import annotations

import inspect

import pytest

from stagelab.engine import limits

ASKED = [n for n, v in vars(limits.StepCgroup).items() if inspect.isfunction(v) and not n.startswith("_")]


def test_a_build_asks_its_step_cgroup_for_these():
    assert set(ASKED) == {"buildx_args", "sample", "measure_disk", "limit_reached", "hit", "remove"}


@pytest.mark.parametrize("keeper", [limits.BuildCgroup, limits.EngineSideCgroup], ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", ASKED)
def test_each_keeper_answers_with_the_same_parameters(keeper, name):
    expected = inspect.signature(getattr(limits.StepCgroup, name)).parameters
    assert inspect.signature(getattr(keeper, name)).parameters.keys() == expected.keys()
