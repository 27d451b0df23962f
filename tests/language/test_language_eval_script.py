"""The evaluation script's per-rule counts, on the dev part only."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "language_eval.py"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("language_eval", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_by_rule_is_refused_on_the_test_part(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _script().main(["--part", "test", "--by-rule"])
    assert "refused on the test part" in capsys.readouterr().err


def test_by_rule_counts_add_up_to_the_batch_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main(["--part", "dev", "--batch", "6", "--by-rule"]) == 0
    out = capsys.readouterr().out
    flagged, blame = map(int, re.search(r"precision .*\((\d+)/(\d+)\)", out).groups()[::-1])
    rows = re.findall(r"^([a-z-]+/[a-z0-9-]+)\s+(\d+)\s+(\d+)\s+(\d+)\s", out, re.M)
    assert rows, out
    # A segment two rules flag counts for each; one rule alone counts once.
    assert sum(int(r[1]) for r in rows) >= flagged >= max(int(r[1]) for r in rows)
    assert sum(int(r[2]) for r in rows) >= blame
    assert sum(int(r[3]) for r in rows) <= flagged
    assert all(int(alone) <= int(n) and int(b) <= int(n) for _, n, b, alone in rows)
