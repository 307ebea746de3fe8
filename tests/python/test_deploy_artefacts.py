"""The deployment artefacts agree with each other and with what is tested: one image whose
install steps are CI's (Dockerfile and `make setup` run scripts/install.sh), ECS task
definitions for the two tasks the Step Functions state machine runs, the same commands in the
state machine, the task definitions, the guide and the offline proof (warehouse_check/
commands.py), and least-privilege IAM policies. No container engine runs here: the image is
not built by these tests (docs/deploy.md says so)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from warehouse_check.commands import DBT_BUILD, LAND, dbt_build
from warehouse_check.proof import Proof

PROJECT = Path(__file__).resolve().parents[2]
AWS = PROJECT / "docs" / "aws"
GUIDE = (PROJECT / "docs" / "deploy.md").read_text(encoding="utf-8")


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def machine() -> dict[str, Any]:
    states: dict[str, Any] = load(AWS / "pipeline.asl.json")["States"]
    return states


def task_definitions() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(AWS.glob("task-definition-*.json")):
        definition = load(path)
        found[definition["family"]] = definition
    return found


def override(state: dict[str, Any]) -> dict[str, Any]:
    overrides: dict[str, Any] = state["Parameters"]["Overrides"]["ContainerOverrides"][0]
    return overrides


# -- one image, CI's install --------------------------------------------------------------


def dockerfile_runs() -> list[str]:
    text = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line[4:].strip() for line in joined.splitlines() if line.startswith("RUN ")]


def make_setup_recipe() -> list[str]:
    text = (PROJECT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"^\$\(STAMP\):.*\n((?:\t.*\n)+)", text, re.M)
    assert found, "the Makefile has no $(STAMP) (make setup) recipe"
    return [line.strip() for line in found.group(1).splitlines()]


def test_the_image_installs_with_the_script_ci_runs() -> None:
    image = [r for r in dockerfile_runs() if "install.sh" in r]
    ci = [r for r in make_setup_recipe() if "install.sh" in r]
    assert len(image) == 1 and len(ci) == 1, (image, ci)
    image_call = shlex.split(image[0].split("&&")[0])
    ci_call = shlex.split(ci[0])
    # the same interpreter variable, the same script; only the venv's location differs
    assert image_call[1:3] == ci_call[1:3] == ["sh", "scripts/install.sh"]
    assert image_call[0].startswith("PYTHON=") and ci_call[0].startswith("PYTHON=")
    script = (PROJECT / "scripts" / "install.sh").read_text(encoding="utf-8")
    assert "-r requirements.lock" in script and "--no-deps -e ." in script
    # nothing else installs packages in either place
    for line in [*dockerfile_runs(), *make_setup_recipe()]:
        assert "pip install" not in line, line


def test_the_image_gets_the_project_but_nothing_local() -> None:
    text = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY . /app" in text and "DBT_PROFILES_DIR=/app/profiles" in text
    assert re.search(r"^USER \w+", text, re.M), "the image runs as root"
    ignored = (PROJECT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "data", "target"} <= set(ignored)


# -- the schedule runs the two tasks the repository defines --------------------------------


def test_every_task_the_state_machine_runs_is_defined() -> None:
    definitions = task_definitions()
    images = {d["containerDefinitions"][0]["image"] for d in definitions.values()}
    assert len(images) == 1, f"one image for both tasks, not {images}"
    tasks = {n: s for n, s in machine().items() if s["Type"] == "Task" and "ecs:" in s["Resource"]}
    assert set(tasks) == {"Land", "DbtBuild"}
    for name, state in tasks.items():
        family = state["Parameters"]["TaskDefinition"]
        assert family in definitions, f"{name} runs {family}, which docs/aws does not define"
        definition = definitions[family]
        container = definition["containerDefinitions"][0]
        assert override(state)["Name"] == container["name"]
        assert override(state)["Command"] == container["command"], name
        assert state["Parameters"]["LaunchType"] == "FARGATE"
        assert definition["requiresCompatibilities"] == ["FARGATE"]
        assert definition["networkMode"] == "awsvpc"


def test_the_task_roles_are_the_ones_the_state_machine_may_pass() -> None:
    policy = load(PROJECT / "docs" / "iam" / "pipeline-state-machine.json")
    passable = next(s for s in policy["Statement"] if s["Sid"] == "PassTheTaskRoles")
    for definition in task_definitions().values():
        assert definition["taskRoleArn"] in passable["Resource"]
        assert definition["executionRoleArn"] in passable["Resource"]
    runnable = next(s for s in policy["Statement"] if s["Sid"] == "RunTheTwoTasks")
    families = {r.split("task-definition/")[1].split(":")[0] for r in runnable["Resource"]}
    assert families == set(task_definitions())


def test_the_schedule_the_image_the_guide_and_the_proof_run_one_dbt_command() -> None:
    states = machine()
    assert override(states["DbtBuild"])["Command"] == dbt_build("${DbtTarget}")
    assert override(states["Land"])["Command"][:2] == LAND
    assert "--glue" in override(states["Land"])["Command"]
    for target in ("athena", "redshift"):
        assert " ".join(dbt_build(target)) in GUIDE, f"the guide does not run {target}'s build"
    # the guide never tells to run a dbt build without the rule
    for command in re.findall(r"dbt build --[^\n`|]*", GUIDE):
        assert command.startswith(" ".join(DBT_BUILD)), command
    commands = Proof(PROJECT / "unused").build_commands("first")
    for engine, command in commands.items():
        assert command[command.index("build") :][: len(DBT_BUILD) - 1] == DBT_BUILD[1:], engine


def test_step_functions_definition_runs_land_then_dbt_build() -> None:
    states = machine()
    definition = load(AWS / "pipeline.asl.json")
    assert definition["StartAt"] == "Land" and states["Land"]["Next"] == "DbtBuild"
    for name in ("Land", "DbtBuild"):
        assert states[name]["Resource"] == "arn:aws:states:::ecs:runTask.sync"
        assert states[name]["Catch"][0]["Next"] == "Alert"
    for state in states.values():  # every transition names a state that exists
        assert state.get("Next") is None or state["Next"] in states
    schedule = load(AWS / "schedule.json")
    assert schedule["Target"]["Arn"].endswith(":stateMachine:dms-warehouse-pipeline")


# -- IAM ------------------------------------------------------------------------------------

IAM_FILES = sorted((PROJECT / "docs" / "iam").glob("*.json"))


@pytest.mark.parametrize("path", IAM_FILES, ids=[p.name for p in IAM_FILES])
def test_iam_policies_are_valid_least_privilege_json(path: Path) -> None:
    policy = load(path)
    assert policy["Version"] == "2012-10-17"
    assert policy["Statement"], "no statements"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow" and statement["Sid"]
        actions = statement["Action"]
        assert actions and all(":" in a and not a.endswith(":*") and a != "*" for a in actions)
        resources = statement["Resource"]
        # only lakeformation:GetDataAccess has no resource-level permission
        if resources == ["*"]:
            assert actions == ["lakeformation:GetDataAccess"], statement["Sid"]


def test_the_guide_points_to_every_artefact() -> None:
    names = {p.name for p in IAM_FILES} | {p.name for p in AWS.glob("*.json")} | {"Dockerfile"}
    for name in names:
        assert name in GUIDE, f"docs/deploy.md does not mention {name}"
    assert "docs/deploy.md" in (PROJECT / "README.md").read_text(encoding="utf-8")
