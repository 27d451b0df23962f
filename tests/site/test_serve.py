"""``mkdocs serve`` as a preview while writing: it keeps serving through errors and shows
them, and previews drafts when asked; a normal build does neither."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError
from tests.conftest import VALID_POSTMORTEM, Project

BROKEN = VALID_POSTMORTEM.replace("severity: SEV2", "severty: SEV2")
DRAFT = (VALID_POSTMORTEM.replace("id: INC-2026-001", "id: INC-2026-002")
         .replace("status: final", "status: draft")
         .replace("Checkout errors after replica failover", "Draft about a search outage"))
PREVIEW_YML = "      preview_drafts: true\n"


def preview_project(project: Project) -> Project:
    project.incident("2026/broken.md", BROKEN)
    project.incident("2026/draft.md", DRAFT)
    yml = project.root / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + PREVIEW_YML, encoding="utf-8")
    return project


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, deadline: float) -> str:
    """The page at ``url`` once the server answers it, waiting at most until ``deadline``."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def serving(root: Path, port: int):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
         "--no-livereload"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_serve_keeps_serving_and_shows_findings_and_drafts(project: Project) -> None:
    preview_project(project)
    # MkDocs' own reader would stop the whole build at this "<![" (html/marked-section).
    regex = (VALID_POSTMORTEM.replace("id: INC-2026-001", "id: INC-2026-003")
             .replace("Checkout errors after replica failover", "Regex in a post-mortem")
             + "\nThe filter was `(?<![^a])b`.\n")
    project.incident("2026/regex.md", regex)
    port = free_port()
    started = time.monotonic()
    with serving(project.root, port) as proc:
        try:
            page = fetch(f"http://127.0.0.1:{port}/incidents/2026/broken/", started + 20)
        except Exception:
            proc.send_signal(signal.SIGINT)
            pytest.fail("mkdocs serve did not answer within 20 s:\n" + proc.communicate()[0])
        elapsed = time.monotonic() - started
        assert 'class="admonition failure pm-findings"' in page
        assert "unknown key &#39;severty&#39;" in page and "[unknown-key]" in page
        assert "incidents/2026/broken.md:5:1" in page
        findings = fetch(f"http://127.0.0.1:{port}/postmortem-findings/", started + 25)
        assert "incidents/2026/broken.md" in findings and "unknown-key" in findings
        draft = fetch(f"http://127.0.0.1:{port}/incidents/2026/draft/", started + 25)
        assert "Draft about a search outage" in draft and "pm-status--draft" in draft
        marked = fetch(f"http://127.0.0.1:{port}/incidents/2026/regex/", started + 25)
        assert "[html/marked-section]" in marked
        assert "(?&lt;!\u200b[^a])b" in marked
    assert elapsed < 20


def test_a_build_neither_serves_errors_nor_previews_drafts(project: Project) -> None:
    preview_project(project)
    config = load_config(str(project.root / "mkdocs.yml"))
    with pytest.raises((PluginError, Abort)):
        build(config)
    (project.incidents / "2026/broken.md").write_text(VALID_POSTMORTEM, encoding="utf-8")
    config = load_config(str(project.root / "mkdocs.yml"))
    build(config)
    site = Path(config.site_dir)
    assert (site / "incidents/2026/broken/index.html").is_file()
    assert not (site / "incidents/2026/draft").exists()
    assert not (site / "postmortem-findings").exists()

