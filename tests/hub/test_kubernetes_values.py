"""hub/config.yaml (and its Sysbox overlay) are valid values for the pinned Zero to JupyterHub chart.

Helm merges a user's values into the chart's defaults (maps merge, lists and scalars replace,
``null`` deletes) and validates the result against the chart's values.schema; so do we, with
the schema and defaults of chart 4.4.0 kept in hub/z2jh-4.4.0/.
"""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml

CHART = "hub/z2jh-4.4.0"


def helm_merge(defaults: dict, overrides: dict) -> dict:
    """Helm's coalescing of values: nested maps merge, everything else replaces, null removes."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture(scope="module")
def chart(repo):
    schema = yaml.safe_load((repo / CHART / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((repo / CHART / "values.yaml").read_text())
    return schema, defaults


def _load(repo, *names: str, defaults: dict | None = None) -> dict:
    """The values Helm would render with: the chart's defaults, then each --values file in order."""
    values: dict = copy.deepcopy(defaults or {})
    for name in names:
        values = helm_merge(values, yaml.safe_load((repo / "hub" / name).read_text()))
    return values


def test_chart_defaults_alone_are_valid(chart):
    schema, defaults = chart
    jsonschema.validate(defaults, schema)


def test_config_yaml_validates_against_the_pinned_chart_schema(chart, repo):
    schema, defaults = chart
    jsonschema.validate(_load(repo, "config.yaml", defaults=defaults), schema)


def test_sysbox_overlay_validates_against_the_pinned_chart_schema(chart, repo):
    schema, defaults = chart
    jsonschema.validate(_load(repo, "config.yaml", "config-sysbox.yaml", defaults=defaults), schema)


def test_a_misspelled_key_is_refused(chart, repo):
    schema, defaults = chart
    values = _load(repo, "config.yaml", defaults=defaults)
    values["singleuser"]["extraContainer"] = values["singleuser"].pop("extraContainers")
    with pytest.raises(jsonschema.ValidationError, match="extraContainer"):
        jsonschema.validate(values, schema)


def test_each_learner_gets_an_engine_sidecar_with_limits_and_a_store(repo):
    singleuser = _load(repo, "config.yaml")["singleuser"]
    engine = next(c for c in singleuser["extraContainers"] if c["name"] == "engine")
    assert engine["securityContext"]["privileged"] is True
    assert engine["resources"]["limits"]["memory"] and engine["resources"]["limits"]["cpu"]
    assert {"name": "engine-store", "mountPath": "/var/lib/docker"} in engine["volumeMounts"]
    assert singleuser["extraEnv"]["DOCKER_HOST"] == "tcp://127.0.0.1:2375"
    assert singleuser["memory"]["limit"] and singleuser["cpu"]["guarantee"]


def test_null_cmd_removes_the_chart_default_so_the_image_start_script_runs(chart, repo):
    _, defaults = chart
    assert "cmd" in defaults["singleuser"]
    assert "cmd" not in _load(repo, "config.yaml", defaults=defaults)["singleuser"]


def test_sysbox_overlay_drops_privileged_and_sets_the_runtime_class(repo):
    singleuser = _load(repo, "config.yaml", "config-sysbox.yaml")["singleuser"]
    assert singleuser["extraPodConfig"]["runtimeClassName"] == "sysbox-runc"
    assert all(not c["securityContext"]["privileged"] for c in singleuser["extraContainers"])


def test_images_are_pre_pulled_and_idle_servers_culled(repo):
    values = _load(repo, "config.yaml")
    assert values["prePuller"]["hook"]["enabled"] and values["prePuller"]["continuous"]["enabled"]
    assert "stagelab-engine" in values["prePuller"]["extraImages"]
    assert values["cull"]["enabled"] and values["cull"]["timeout"] > 0
