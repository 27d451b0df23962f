"""Shared fixtures: a throw-away project folder with the real schemas, and the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

VALID_POSTMORTEM = """\
---
id: INC-2026-001
title: Checkout errors after replica failover
status: final
severity: SEV2
impact_flags:
  production: true
  data_loss: false
  security: false
  users_blocked: true
  correctness: true
services: [checkout, orders-db]
tags: [database, failover]
detection: monitoring
started: 2026-03-14T09:02:00Z
detected: 2026-03-14T09:12:00Z
contained: 2026-03-14T09:30:00Z
resolved: 2026-03-14T10:45:00Z
fix_type: revert
root_cause:
  category: config-change
  summary: The promoted replica kept the default limit of 100 connections.
authors: [sre-team]
action_items:
  - action: Check connection limits in the replica provisioning pipeline
    owner: db-team
    due: 2026-04-15
    status: open
    kind: prevent
    ticket: https://tracker.example/DB-123
related: []
---
# Checkout errors after replica failover

## Summary

Checkout requests failed for 43 minutes after the orders database failed over to a replica
that accepted only 100 connections.

## Impact

About 12% of checkout attempts failed between 09:02 and 09:45 UTC.

## Timeline

| Time | Event | Evidence |
|------|-------|----------|
| 09:02 | Replica promoted after primary host failure | failover log |
| 09:12 | Checkout error-rate alert fired | alert ACK-1 |
| 09:30 | Connection limit raised to 500 | change CHG-7 |

## Root Cause

Replica provisioning used the database default for max_connections.

## Contributing Factors

No alert on connection saturation existed for replicas.

## Action Items

The items below are tracked in the team's tracker.

## Prevention Measures

Provisioning now copies connection limits from the primary.
"""

MKDOCS_YML = """\
site_name: Test post-mortems
docs_dir: docs
theme:
  name: material
plugins:
  - search
  - postmortems:
      today: 2026-11-26
"""


@dataclass
class Project:
    """A project folder: mkdocs.yml, docs/, incidents/ and a copy of the real schemas/."""

    root: Path

    @property
    def incidents(self) -> Path:
        return self.root / "incidents"

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def incident(self, name: str, text: str | bytes) -> Path:
        return self.write(f"incidents/{name}", text)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (root / "incidents").mkdir()
    return Project(root)


@dataclass
class CliRun:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)

    def rules(self) -> list[str]:
        return [f["rule"] for f in self.json["findings"]]


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> CliRun:
    """Run the ``postmortem`` command in-process in ``cwd`` (an exception is a test error)."""
    from click.testing import CliRunner

    from postmortems.cli import main

    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            main, list(args), env={"NO_COLOR": "1", **(env or {})}, catch_exceptions=False
        )
    finally:
        os.chdir(previous)
    return CliRun(result.exit_code, result.stdout, result.stderr)


def run_cli_process(*args: str, cwd: Path) -> CliRun:
    """Run the real ``postmortem`` command as a process in ``cwd``."""
    proc = subprocess.run(
        [sys.executable, "-m", "postmortems", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


def run_mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real ``mkdocs`` command in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
