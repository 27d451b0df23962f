"""The evaluation script's per-rule counts, on the dev part only."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from postmortems.language import LanguageChecker

from .evaluation import Segment

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


def test_by_rule_counts_flags_blame_and_lone_flags_per_rule(checker: LanguageChecker) -> None:
    def seg(n: int, text: str, blame: bool) -> Segment:
        return Segment(f"doc#{n}", "doc", "", "sentence", text, blame, "")

    segments = [
        seg(1, "The engineer carelessly deleted the production table.", True),
        seg(2, "I accidentally ran the script against production.", True),
        seg(3, "@joshblack acknowledged the issue.", False),
        seg(4, "We rolled back the deploy at 10:40.", False),
        seg(5, "The on-call engineer forgot to renew the certificate, a careless mistake.", False),
    ]
    out = _script().by_rule(lambda text: checker.check(text, "segment").findings, segments)
    rows = {
        rule: (int(flags), int(blame), int(alone))
        for rule, flags, blame, alone in re.findall(
            r"^([a-z-]+/[a-z0-9-]+)\s+(\d+)\s+(\d+)\s+(\d+)\s", out, re.M
        )
    }
    assert rows == {
        "agent/accidental-action": (2, 2, 1),
        "judgement/careless": (2, 1, 0),
        "names/handle": (1, 0, 1),
        "agent/oversight": (1, 0, 0),
    }, out
    assert "0.50 [" in out.split("judgement/careless")[1].splitlines()[0]


def test_by_rule_runs_on_a_dev_batch(capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main(["--part", "dev", "--batch", "6", "--by-rule"]) == 0
    out = capsys.readouterr().out
    tp, flagged = map(int, re.search(r"precision .*\((\d+)/(\d+)\)", out).groups())
    rows = re.findall(r"^[a-z-]+/[a-z0-9-]+\s+(\d+)\s+(\d+)\s+(\d+)\s", out, re.M)
    # Each flagged segment is in some row; a segment one rule alone flags is in one row only.
    assert sum(int(alone) for *_, alone in rows) <= flagged <= sum(int(n) for n, *_ in rows)
    assert sum(int(b) for _, b, _ in rows) >= tp
