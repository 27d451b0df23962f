"""The pre-commit hooks, run by the real ``pre-commit`` in a temporary git repository.

The fast test runs this repository's own ``.pre-commit-config.yaml`` hook definitions (the
same ``files`` and ``pass_filenames`` as ``.pre-commit-hooks.yaml``) with the test's Python;
the ``hookenv`` test runs ``pre-commit try-repo`` on this repository, which builds the hook's
environment with pip as a user's pre-commit does (about 70 s here; twice that when the
working tree has uncommitted changes, as each try-repo then makes its own snapshot).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.conftest import REPO

GOOD = "incidents/2025/2025-02-11-checkout-errors-after-orders-db-failover.md"
BAD = "incidents/2026/2026-01-19-search-showed-unavailable-items.md"
OTHER = "incidents/2025/2025-05-20-expired-certificate-on-auth-endpoint.md"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
                   cwd=cwd, check=True, capture_output=True)


def sample_repo(root: Path) -> Path:
    """A git repository holding a copy of this project's post-mortems, one of them broken."""
    root.mkdir()
    for name in ("incidents", "schemas", "docs"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "samples")
    bad = root / BAD
    bad.write_text(bad.read_text(encoding="utf-8").replace("severity: SEV3", "severty: SEV3", 1),
                   encoding="utf-8")
    return root


def pre_commit(cwd: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"],
                          cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def local_config(repo: Path) -> None:
    """This repository's .pre-commit-config.yaml, with the hook run by the test's Python."""
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    published = {h["id"]: h for h in
                 yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    for hook in config["repos"][0]["hooks"]:
        # The local hooks select files exactly as the published ones do.
        assert (hook["files"], hook["pass_filenames"]) == (
            published[hook["id"]]["files"], published[hook["id"]]["pass_filenames"])
        hook["entry"] = hook["entry"].replace(".venv/bin/postmortem",
                                              f"{sys.executable} -m postmortems")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def test_the_hook_checks_only_the_changed_files(tmp_path: Path) -> None:
    repo = sample_repo(tmp_path / "repo")
    local_config(repo)
    home = tmp_path / "home"
    good = pre_commit(repo, "run", "postmortem-check", "--files", GOOD, OTHER, home=home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    bad = pre_commit(repo, "run", "postmortem-check", "--files", GOOD, BAD, home=home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{BAD}:5:1: error" in bad.stdout and "unknown key 'severty'" in bad.stdout
    assert "(2 files checked, strict)" in bad.stdout  # the two given, not all ten
    # A changed file outside incidents/ does not run the hook at all.
    skipped = pre_commit(repo, "run", "postmortem-check", "--files", "docs/index.md", home=home)
    assert skipped.returncode == 0 and "no files to check" in skipped.stdout.lower()


def test_a_changed_file_still_sees_the_other_ids(tmp_path: Path) -> None:
    repo = sample_repo(tmp_path / "repo")
    local_config(repo)
    copy = repo / "incidents/2026/2026-12-01-copy.md"
    copy.write_text((repo / GOOD).read_text(encoding="utf-8"), encoding="utf-8")
    run = pre_commit(repo, "run", "postmortem-check", "--files", str(copy.relative_to(repo)),
                     home=tmp_path / "home")
    assert run.returncode == 1
    assert "duplicate-id" in run.stdout and GOOD in run.stdout


def test_an_edited_rules_file_runs_its_examples(tmp_path: Path) -> None:
    repo = sample_repo(tmp_path / "repo")
    local_config(repo)
    home = tmp_path / "home"
    rules = "schemas/blameless-rules.yml"
    good = pre_commit(repo, "run", "postmortem-rules-test", "--files", rules, home=home)
    assert good.returncode == 0, good.stdout + good.stderr
    path = repo / rules
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    keywords: [why]\n", "    keywords: [wherefore]\n", 1),
                    encoding="utf-8")
    bad = pre_commit(repo, "run", "postmortem-rules-test", "--files", rules, home=home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{rules}:" in bad.stdout and "counterfactual/self-question" in bad.stdout
    # A post-mortem alone does not run it.
    skipped = pre_commit(repo, "run", "postmortem-rules-test", "--files", GOOD, home=home)
    assert skipped.returncode == 0 and "no files to check" in skipped.stdout.lower()


@pytest.mark.hookenv
def test_try_repo_installs_and_runs_the_published_hook(tmp_path: Path) -> None:
    repo = sample_repo(tmp_path / "repo")
    home = tmp_path / "home"
    good = pre_commit(repo, "try-repo", str(REPO), "postmortem-check", "--files", GOOD, home=home)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = pre_commit(repo, "try-repo", str(REPO), "postmortem-check", "--files", BAD, home=home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{BAD}:5:1: error" in bad.stdout
