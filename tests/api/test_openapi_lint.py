"""The served OpenAPI document passes two linters nobody on the team wrote: Redocly
(`recommended`) and Spectral (`spectral:oas`), from their npm packages (`make openapi-linters`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "node_modules" / ".bin"


def _linter(name: str) -> Path:
    path = TOOLS / name
    if not path.exists():
        reason = f"{name} is not installed (make openapi-linters needs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def document(client, tmp_path) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(client.get("/api/v1/openapi.json").get_json()))
    return path


def test_redocly_recommended_finds_no_problem(document):
    run = subprocess.run([str(_linter("redocly")), "lint", "--extends", "recommended",
                          "--format", "json", str(document)],
                         capture_output=True, text=True, timeout=300, cwd=document.parent)
    report = json.loads(run.stdout)
    problems = [f"{p['severity']} {p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}"
                for p in report["problems"]]
    assert not [p for p in problems if p.startswith("error")], "\n".join(problems)
    assert problems == []  # no warnings either


def test_spectral_oas_finds_no_error_or_warning(document):
    ruleset = document.parent / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    run = subprocess.run([str(_linter("spectral")), "lint", "-r", str(ruleset), "-f", "json",
                          "--quiet", str(document)],
                         capture_output=True, text=True, timeout=300, cwd=document.parent)
    start = run.stdout.find("[")
    found = json.loads(run.stdout[start:]) if start >= 0 else []
    problems = [f"{('error', 'warning', 'info', 'hint')[p['severity']]} {p['code']}: "
                f"{p['message']} at {'.'.join(map(str, p['path']))}" for p in found]
    assert not [p for p in problems if re.match(r"(error|warning) ", p)], "\n".join(problems)
