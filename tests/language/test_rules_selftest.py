"""``postmortem rules --test``: every rule's examples, run from a team's edited rules data."""

from __future__ import annotations

from pathlib import Path

import yaml
from tests.conftest import MKDOCS_YML, Project, run_cli

from postmortems.language.selftest import _example_positions
from postmortems.positions import Position

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


def test_the_data_is_tested_by_itself_not_with_the_project_settings(project: Project) -> None:
    # allowed_phrases and extra_role_nouns change what post-mortems get flagged for; the
    # rules' own examples still hold.
    (project.root / "mkdocs.yml").write_text(
        MKDOCS_YML.replace("today: 2026-11-26", "today: 2026-11-26\n"
                           "      allowed_phrases: [human error]\n"
                           "      extra_role_nouns: [wrangler]"), encoding="utf-8")
    assert run_cli("check", cwd=project.root).exit_code == 0  # the settings are valid
    run = run_cli("rules", "--test", cwd=project.root)
    assert run.exit_code == 0, run.stdout


def test_nothing_to_test_without_rules_of_the_project(project: Project) -> None:
    (project.root / RULES_FILE).unlink()  # the packaged rules are used
    run = run_cli("rules", "--test", "--format", "github", cwd=project.root)
    assert run.exit_code == 0 and run.stdout == ""
    assert "nothing to test: the packaged rules are used" in run.stderr
    (project.root / "mkdocs.yml").write_text(
        MKDOCS_YML.replace("today: 2026-11-26", "today: 2026-11-26\n      language: false"),
        encoding="utf-8")
    run = run_cli("rules", "--test", cwd=project.root)
    assert run.exit_code == 0 and "language: false" in run.stderr


def test_examples_are_placed_in_a_rules_file_of_any_size(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    names = "\n".join(f"    - name{i}" for i in range(100_500))
    path.write_text(
        f"lexicon:\n  first_names:\n{names}\nrules:\n  - id: a/b\n    examples:\n"
        "      flag: [one, two]\n      pass:\n        - three\n", encoding="utf-8")
    line = 100_500 + 6  # two lines before the names, three after
    assert _example_positions(path) == {
        (0, "flag", 0): Position(line, 14), (0, "flag", 1): Position(line, 19),
        (0, "pass", 0): Position(line + 2, 11),
    }
    # A key written twice counts as the loader reads it: the last one.
    path.write_text("rules:\n  - id: a/b\n    examples:\n      flag: [old]\n"
                    "    examples:\n      flag: [new]\n", encoding="utf-8")
    assert _example_positions(path) == {(0, "flag", 0): Position(6, 14)}


def test_rules_or_a_schema_that_are_not_utf8_are_configuration_errors(project: Project) -> None:
    rules = project.root / RULES_FILE
    rules.write_bytes(rules.read_bytes() + b"\xff\xfe")
    run = run_cli("rules", "--test", cwd=project.root)
    assert run.exit_code == 2 and "not UTF-8" in run.stderr
    assert run_cli("check", cwd=project.root).exit_code == 2
    rules.write_bytes(rules.read_bytes()[:-2])
    schema = project.root / "schemas" / "postmortem.schema.json"
    schema.write_bytes(schema.read_bytes() + b"\xff")
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 2 and "not UTF-8" in run.stderr


def test_examples_merged_from_an_anchor_are_placed(tmp_path: Path) -> None:
    # Examples merged in from an anchored mapping are placed where they are written.
    path = tmp_path / "rules.yml"
    path.write_text("base: &base\n  flag: [shared]\nrules:\n  - id: a/b\n    examples:\n"
                    "      <<: *base\n      pass: [own]\n", encoding="utf-8")
    assert _example_positions(path) == {(0, "flag", 0): Position(2, 10),
                                        (0, "pass", 0): Position(7, 14)}
