"""Language findings travel through the CLI and the MkDocs build like any other finding."""

from __future__ import annotations

from tests.conftest import VALID_POSTMORTEM, Project, run_cli, run_mkdocs

BLAME = "No alert on connection saturation existed for replicas."
NOTES = """\
# Release notes review

The script failed and the config was invalid, so the job crashed.

Ben merged the broken change without waiting for CI.

```bash
# human error in a code block is not prose
```

This was human error.
"""


def test_language_only_on_any_markdown_file(project: Project) -> None:
    notes = project.write("notes/review.md", NOTES)
    run = run_cli("check", "--rules", "language", "--format", "json", str(notes), cwd=project.root)
    assert run.exit_code == 1
    findings = run.json["findings"]
    assert [(f["line"], f["column"], f["rule"], f["level"]) for f in findings] == [
        (5, 1, "agent/bad-action", "warning"),
        (5, 1, "names/first-name", "warning"),  # "Ben merged": a name in the narrative
        (11, 10, "judgement/human-error", "error"),
    ]
    human = findings[2]
    assert human["category"] == "judgement"
    assert human["match"] == "human error"
    assert human["end_column"] == 10 + len("human error")
    assert human["message"] and human["hint"] and human["suggestions"]
    assert run.json["summary"]["files"] == 1


def test_language_findings_in_the_full_check(project: Project) -> None:
    text = VALID_POSTMORTEM.replace(
        BLAME, "The developer forgot to add an alert. It was sloppy work."
    )
    project.incident("a.md", text)
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert run.exit_code == 1
    categories = {(f["category"], f["level"]) for f in run.json["findings"]}
    assert ("agent", "warning") in categories
    assert ("judgement", "error") in categories
    assert all(f["line"] == 58 for f in run.json["findings"])


def test_schema_only_skips_language(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM.replace(BLAME, "This was human error."))
    assert run_cli("check", "--rules", "schema", cwd=project.root).exit_code == 0
    assert run_cli("check", cwd=project.root).exit_code == 1


def test_suppression_is_counted_in_the_summary(project: Project) -> None:
    text = VALID_POSTMORTEM.replace(
        BLAME,
        "<!-- blameless-ignore judgement: quoting the chat log verbatim -->\n"
        "The chat said it was human error.",
    )
    project.incident("a.md", text)
    run = run_cli("check", cwd=project.root)
    assert run.exit_code == 0, run.stdout
    assert "1 suppression (judgement/human-error 1)" in run.stdout.splitlines()[-1]


def test_a_suppression_in_a_front_matter_value_is_recorded(project: Project) -> None:
    text = VALID_POSTMORTEM.replace(
        "  summary: The promoted replica kept the default limit of 100 connections.",
        "  summary: 'It was human error. <!-- blameless-ignore judgement: the vendor said so -->'",
    )
    project.incident("a.md", text)
    line = next(i for i, t in enumerate(text.split("\n"), 1) if "It was human error" in t)
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert [(s["line"], s["rule"], s["reason"]) for s in run.json["suppressions"]] == [
        (line, "judgement/human-error", "the vendor said so")
    ]


def test_suppressions_in_a_folded_value_are_placed_where_written(project: Project) -> None:
    text = VALID_POSTMORTEM.replace(
        "  summary: The promoted replica kept the default limit of 100 connections.",
        "  summary: >\n"
        "    The promoted replica kept the default limit of 100 connections.\n\n"
        "    <!-- blameless-ignore agent: quoting the vendor's report -->\n"
        "    Their engineer forgot to renew it.\n\n"
        "    The limit stayed. <!-- blameless-ignore judgement -->\n"
        "    It was human error.",
    )
    project.incident("a.md", text)
    lines = text.split("\n")

    def at(needle: str) -> tuple[int, int]:
        number = next(i for i, t in enumerate(lines, 1) if needle in t)
        return number, lines[number - 1].index(needle) + 1

    run = run_cli("check", "--format", "json", cwd=project.root)
    assert [(s["line"], s["column"], s["rule"]) for s in run.json["suppressions"]] == [
        (*at("Their engineer forgot"), "agent/oversight")
    ]
    meta = [f for f in run.json["findings"] if f["category"] == "suppression"]
    assert [(f["line"], f["column"], f["rule"]) for f in meta] == [
        (*at("<!-- blameless-ignore judgement"), "blameless/suppression-without-reason")
    ]
    cached = run_cli("check", "--format", "json", cwd=project.root)
    assert cached.json["suppressions"] == run.json["suppressions"]


def test_a_suppression_comment_after_escapes_is_reported_where_written(
    project: Project,
) -> None:
    value = ('"Caf\\xE9 \\xE9\\xE8\\xEA\\u00e9 limit. <!-- blameless-ignore judgement -->'
             ' It was human error."')
    text = VALID_POSTMORTEM.replace(
        "  summary: The promoted replica kept the default limit of 100 connections.",
        f"  summary: {value}",
    )
    project.incident("a.md", text)
    line = next(i for i, t in enumerate(text.split("\n"), 1) if "<!--" in t)
    column = text.split("\n")[line - 1].index("<!--") + 1
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert [(f["line"], f["column"]) for f in run.json["findings"]
            if f["rule"] == "blameless/suppression-without-reason"] == [(line, column)]


def test_a_known_name_is_one_name_whatever_the_whitespace_in_it(project: Project) -> None:
    # "Will" alone is a common word, not a name: only the whole name counts.
    text = VALID_POSTMORTEM.replace("authors: [sre-team]", "authors: [Will Smith]")
    line = text.split("\n").index(BLAME) + 1
    found = {}
    for gap in (" ", "  ", "\t", "\n"):
        sentence = f"Will{gap}Smith forgot to renew the certificate."
        project.incident("a.md", text.replace(BLAME, sentence))
        run = run_cli("check", "--format", "json", cwd=project.root)
        found[gap] = [(f["rule"], f["line"], f["column"], f["end_column"], f["match"])
                      for f in run.json["findings"] if f["rule"].startswith(("agent/", "names/"))]
    for gap, end in ((" ", 11), ("  ", 12), ("\t", 11)):
        assert found[gap] == [
            ("agent/oversight", line, 1, end + len(" forgot"), "Will Smith forgot"),
            ("names/person-named", line, 1, end, "Will Smith"),
        ], repr(gap)
    # A known name wrapped across lines is still the name; a rule's {person} capture takes
    # the words of one line only, so the next line's sentence is checked on its own.
    assert found["\n"] == [
        ("names/person-named", line, 1, 5, "Will Smith"),
        ("agent/oversight", line + 1, 1, 13, "Smith forgot"),
    ]


def test_build_logs_language_findings_and_fails_on_errors(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM.replace(BLAME, "This was human error."))
    proc = run_mkdocs("build", cwd=project.root)
    assert proc.returncode != 0
    assert "incidents/a.md:58:10: Human error given as a cause" in proc.stderr


def test_build_warnings_fail_only_under_strict(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM.replace(BLAME, "The developer forgot the alert."))
    assert run_mkdocs("build", cwd=project.root).returncode == 0
    strict = run_mkdocs("build", "--strict", cwd=project.root)
    assert strict.returncode != 0
    assert "incidents/a.md:58:1: A person is blamed for an oversight" in strict.stderr


def test_front_matter_prose_is_checked_where_it_is_written(project: Project) -> None:
    text = (
        VALID_POSTMORTEM.replace(
            "title: Checkout errors after replica failover",
            'title: "Human error: checkout errors after replica failover"',
        )
        .replace(
            "  summary: The promoted replica kept the default limit of 100 connections.",
            "  summary: >\n    The on-call engineer forgot to raise the limit of the promoted"
            " replica.",
        )
    )
    project.incident("a.md", text)
    run = run_cli("check", "--format", "json", cwd=project.root)
    found = [(f["line"], f["column"], f["category"], f["message"].split(":")[0])
             for f in run.json["findings"] if f["category"]]
    assert (3, 9, "judgement", "title") in found
    assert any(line == 23 and category == "agent" and where == "root_cause.summary"
               for line, _, category, where in found), found


def test_a_value_reused_by_an_alias_is_reported_once(project: Project) -> None:
    # One written value, two fields: one finding, at the value.
    text = VALID_POSTMORTEM.replace(
        "  summary: The promoted replica kept the default limit of 100 connections.",
        "  summary: &cause The root cause was human error.",
    ).replace(
        "related: []",
        "related: []\nseverity_reason: *cause",
    )
    project.incident("a.md", text)
    run = run_cli("check", "--format", "json", cwd=project.root)
    found = [f for f in run.json["findings"] if f["rule"] == "judgement/human-error"]
    line = text.split("\n").index("  summary: &cause The root cause was human error.") + 1
    assert [(f["line"], f["column"]) for f in found] == [(line, 38)], found


def test_a_secret_in_a_flagged_sentence_leaves_no_suggestion(project: Project) -> None:
    # The suggestion is the sentence as written: where a secret was pasted into it (a token
    # in inline code, a short password in a URL, a key over several lines), there is none.
    token = "ghp_Zk3Qx9Lm2Vb7Nw4Tr8Yp1Hs6Jd5Fg0Ca2Ue9Wk"
    text = VALID_POSTMORTEM.replace(
        "that accepted only 100 connections.",
        f"that accepted only 100 connections. We accidentally pasted `{token}` into the chat.\n"
        "\nWe accidentally pasted postgres://admin:Zq9@db.example.com:5432/orders there too.",
    )
    project.incident("a.md", text)
    for fmt in ("json", "github", "text", "sarif"):
        run = run_cli("check", "--format", fmt, cwd=project.root)
        assert token not in run.stdout and ":Zq9@" not in run.stdout, fmt
    found = run_cli("check", "--format", "json", cwd=project.root).json["findings"]
    slips = [f for f in found if f["rule"] == "agent/accidental-action"]
    assert len(slips) == 2 and all(f["suggestions"] == [] for f in slips)
    assert {f["rule"] for f in found} >= {"secret/github-token", "secret/url-password"}
    # Without a secret, the same sentence gets its suggestion.
    project.incident("a.md", text.replace(token, "main").replace("admin:Zq9@", ""))
    found = run_cli("check", "--format", "json", cwd=project.root).json["findings"]
    assert [f["suggestions"] for f in found if f["rule"] == "agent/accidental-action"] == [
        ["We pasted `main` into the chat."],
        ["We pasted postgres://db.example.com:5432/orders there too."],
    ]


def test_a_key_in_a_front_matter_value_leaves_no_suggestion(project: Project) -> None:
    body = "Zm9vYmFyYmF6cXV4" * 4
    begin, end = "-----BEGIN " + "RSA PRIVATE KEY-----", "-----END " + "RSA PRIVATE KEY-----"
    key = f"{begin}\\n{body}\\n{body}\\n{end}"  # written with YAML escapes, one line
    text = VALID_POSTMORTEM.replace(
        "  summary: The promoted replica kept the default limit of 100 connections.",
        f'  summary: "We accidentally pasted {key} into the chat."',
    )
    project.incident("a.md", text)
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert body not in run.stdout
    [slip] = [f for f in run.json["findings"] if f["rule"] == "agent/accidental-action"]
    assert slip["suggestions"] == []
    assert any(f["rule"] == "secret/private-key" for f in run.json["findings"])


def test_a_secret_allow_suppression_carries_the_secrets_column(project: Project) -> None:
    token = "ghp_Zk3Qx9Lm2Vb7Nw4Tr8Yp1Hs6Jd5Fg0Ca2Ue9Wk"
    written = f"The log quoted `{token}`. <!-- secret-allow: revoked test token -->"
    text = VALID_POSTMORTEM.replace(BLAME, written)
    project.incident("a.md", text)
    line = text.split("\n").index(written) + 1
    run = run_cli("check", "--format", "json", cwd=project.root)
    assert token not in run.stdout
    assert [(s["line"], s["column"], s["rule"], s["reason"])
            for s in run.json["suppressions"] if s["rule"].startswith("secret/")] == [
        (line, written.index(token) + 1, "secret/github-token", "revoked test token")
    ]
