"""``postmortem rules --test``: every rule's examples, run from a team's edited rules data."""

from __future__ import annotations

from pathlib import Path

import yaml
from tests.conftest import Project, run_cli

RULES_FILE = "schemas/blameless-rules.yml"


def _edit(project: Project, change: object) -> Path:
    """Apply ``change(data)`` to the project's rules data and write it back."""
    path = project.root / RULES_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000),
                    encoding="utf-8")
    return path


def _rule(data: dict, rule_id: str) -> dict:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def _line_of(path: Path, sentence: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if sentence in line)


def test_the_stock_rules_pass_their_own_examples(project: Project) -> None:
    data = yaml.safe_load((project.root / RULES_FILE).read_text(encoding="utf-8"))
    count = sum(len(r["examples"]["flag"]) + len(r["examples"]["pass"]) for r in data["rules"])
    run = run_cli("rules", "--test", cwd=project.root)
    assert run.exit_code == 0, run.stdout
    assert f"tested {count} examples of {len(data['rules'])} rules" in run.stdout
    assert run.stdout.rstrip().endswith("all behave")


def test_each_failing_example_is_reported_at_its_line(project: Project) -> None:
    missed = "The disk filled up overnight."
    flagged = "We should have expected the traffic spike at launch."

    def change(data: dict) -> None:
        _rule(data, "judgement/human-error")["examples"]["flag"].append(missed)
        _rule(data, "counterfactual/should-have")["examples"]["pass"].append(flagged)

    path = _edit(project, change)
    run = run_cli("rules", "--test", cwd=project.root)
    assert run.exit_code == 1
    assert f"{RULES_FILE}:{_line_of(path, missed)}:" in run.stdout
    assert "judgement/human-error: an example to flag is not flagged" in run.stdout
    assert f"{RULES_FILE}:{_line_of(path, flagged)}:" in run.stdout
    assert "counterfactual/should-have: an example to leave alone is flagged" in run.stdout
    assert "blameless/rule-example" in run.stdout
    assert run.stdout.rstrip().endswith("2 failed")


def test_a_pattern_that_matches_without_its_keywords_is_named(project: Project) -> None:
    # Only the sentences that hold a rule's keywords are searched: a pattern that can match
    # without one would silently never run. The examples show it.
    path = _edit(project, lambda d: _rule(d, "counterfactual/self-question").update(
        keywords=["wherefore"]))
    run = run_cli("rules", "--test", "--format", "json", cwd=project.root)
    assert run.exit_code == 1
    findings = run.json["findings"]
    assert findings and all(f["rule"] == "blameless/rule-example" for f in findings)
    first = _rule(yaml.safe_load(path.read_text(encoding="utf-8")),
                  "counterfactual/self-question")["examples"]["flag"][0]
    hit = next(f for f in findings if first in f["message"])
    assert "matched only when the rule's keywords and trigger are ignored" in hit["message"]
    assert hit["line"] == _line_of(path, first) and hit["column"] > 0
    assert "keywords" in hit["hint"] and hit["level"] == "error"
    assert run.json["examples"] > len(findings)


def test_github_annotations_and_their_usage(project: Project) -> None:
    path = _edit(project, lambda d: _rule(d, "judgement/blame")["examples"]["flag"].append(
        "The cache was cold."))
    run = run_cli("rules", "--test", "--format", "github", cwd=project.root)
    assert run.exit_code == 1
    line = _line_of(path, "The cache was cold.")
    assert run.stdout.startswith(f"::error file={RULES_FILE},line={line},")
    assert run_cli("rules", "--format", "github", cwd=project.root).exit_code == 2


def test_invalid_rules_data_is_a_configuration_error(project: Project) -> None:
    _edit(project, lambda d: d["rules"][0].update(level="fatal"))
    run = run_cli("rules", "--test", cwd=project.root)
    assert run.exit_code == 2
    assert "invalid rules data" in run.stderr
