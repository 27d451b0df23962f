"""Secret scanning: every kind, every place in a post-mortem, masking, allow comments, no noise."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from secret_samples import Sample, gcp_key_file, samples

from postmortems import secretscan
from postmortems.findings import Level
from postmortems.secretscan import (
    ALLOW_WITHOUT_REASON,
    SecretRulesError,
    SecretScanner,
    compile_rules,
    load_rules,
    mask,
    redact,
    scan,
    scan_text,
    scan_value,
    shannon_entropy,
    to_finding,
)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = samples()


def _ids(sample: Sample) -> str:
    return sample.rule.removeprefix("secret/") + ":" + sample.line.split(" ")[0][:12]


def _only(text: str, first_line: int = 1) -> secretscan.SecretHit:
    hits = scan_text(text, first_line)
    assert len(hits) == 1, hits
    return hits[0]


def test_every_stock_rule_has_a_sample() -> None:
    assert {s.rule for s in SAMPLES} == set(secretscan.rule_ids())


def test_stock_data_matches_its_schema() -> None:
    schema = json.loads((REPO / "schemas/secret-rules.schema.json").read_text(encoding="utf-8"))
    data = yaml.safe_load((REPO / "schemas/secret-rules.yml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


@pytest.mark.parametrize("sample", SAMPLES, ids=_ids)
def test_detected_in_prose_with_line_and_column(sample: Sample) -> None:
    text = f"Intro line.\n\nThe job log showed {sample.line} at 14:22.\n"
    hit = _only(text, first_line=20)
    assert (hit.rule, hit.line) == (sample.rule, 22 + sample.row)
    assert hit.column == sample.column_after("The job log showed ")
    if "\n" not in sample.secret:
        assert hit.end_column == hit.column + len(sample.secret)


@pytest.mark.parametrize("sample", SAMPLES, ids=_ids)
def test_detected_in_a_fenced_code_block(sample: Sample) -> None:
    text = f"## Commands Run\n\n```bash\n$ env | sort\n{sample.line}\n```\n"
    hit = _only(text)
    assert (hit.rule, hit.line, hit.column) == (sample.rule, 5 + sample.row, sample.column)


@pytest.mark.parametrize("sample", SAMPLES, ids=_ids)
def test_detected_in_a_table_cell(sample: Sample) -> None:
    if "\n" in sample.line:
        pytest.skip("a private-key block cannot sit in a table cell")
    prefix = "| 14:22 | Job #448213 prints `"
    text = f"| Time | Event |\n|---|---|\n{prefix}{sample.line}` |\n"
    hit = _only(text)
    assert (hit.rule, hit.line, hit.column) == (sample.rule, 3, len(prefix) + sample.column)


@pytest.mark.parametrize("sample", SAMPLES, ids=_ids)
def test_detected_in_a_front_matter_line(sample: Sample) -> None:
    if "\n" in sample.line:
        pytest.skip("covered by the GCP key file test")
    text = f"---\nid: INC-2025-033\nsummary: '{sample.line}'\n---\n\n# Title\n"
    hit = _only(text)
    assert (hit.rule, hit.line, hit.column) == (sample.rule, 3, len("summary: '") + sample.column)


@pytest.mark.parametrize("sample", SAMPLES, ids=_ids)
def test_the_secret_never_appears_in_output(sample: Sample) -> None:
    text = f"Before.\n{sample.line}\nAfter.\n"
    hit = _only(text)
    assert sample.secret not in hit.masked
    assert sample.secret not in hit.message
    finding = to_finding(hit, "incidents/x.md")
    assert sample.secret not in json.dumps(finding.to_dict())
    assert finding.level is Level.ERROR
    assert finding.location() == f"incidents/x.md:{2 + sample.row}:{hit.column}"
    redacted = redact(text)
    assert sample.secret not in redacted
    assert len(redacted) == len(text) and redacted.startswith("Before.\n")
    assert scan_text(redacted) == []


def test_gcp_service_account_key_file() -> None:
    text, key_id, body = gcp_key_file()
    hits = scan_text(text)
    assert [(h.rule, h.line) for h in hits] == [
        ("secret/gcp-service-account-key", 4),
        ("secret/private-key", 5),
    ]
    assert hits[0].column == text.splitlines()[3].index(key_id) + 1
    assert hits[1].column == text.splitlines()[4].index(body) + 1
    redacted = redact(text)
    assert key_id not in redacted and body[:12] not in redacted
    assert "-----BEGIN PRIVATE KEY-----" in redacted  # the markers stay readable
    json.loads(redacted)  # still a JSON document


def test_private_key_block_spans_lines_and_is_masked_whole() -> None:
    lines = next(s for s in SAMPLES if s.rule == "secret/private-key")
    body = [lines.secret, "Zm9vYmFyYmF6cXV4" * 4, "QUJD"]
    text = "```\n-----BEGIN " + "OPENSSH PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END "
    text += "OPENSSH PRIVATE KEY-----\n```\nThe key was rotated.\n"
    hit = _only(text)
    assert (hit.line, hit.column, hit.end_line, hit.end_column) == (3, 1, 5, 5)
    redacted = redact(text)
    assert all(part not in redacted for part in body)
    assert redacted.endswith("-----\n```\nThe key was rotated.\n")


@pytest.mark.parametrize(
    "text",
    [
        "Deployed commit 3f9c2a1b7e8d4c6f0a5b9e2d1c3f4a6b8d0e2f13 at 09:12.",
        "Request id 7c9e6679-7425-40de-944b-e07fc1f90ae7 failed.",
        "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "Image digest sha512-AbCdEfGh0123456789+/AbCdEfGh0123456789+/AbCdEfGh0123456789==",
        "password: ${DB_PASSWORD}",
        "password=${DB_PASSWORD:-unset}",
        "token: <redacted>",
        "api_key: REDACTED",
        "secret: '****************'",
        "password: changeme",
        "DB_PASSWORD=xxxxxxxxxxxx",
        "password = os.environ['DB_PASSWORD']",
        "token = settings.payments.api_token",
        "Authorization: Bearer $TOKEN",
        "Authorization: Bearer <token>",
        "postgres://orders:${PGPASSWORD}@orders-db-1/orders",
        "postgres://user:password@host/db",
        "postgres://user:…@host and redis://:...@cache",
        "See https://tracker.basketly.example/PAY-903 and https://grafana:3000/d/abc",
        "publishable key " + "pk_" + "live_" + "51HbAbCdEfGhIjKlMnOpQrSt",
        "AWS documents " + "AKIA" + "IOSFODNN7" + "EXAMPLE" + " as its example key id",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLE" + "KEY",
        "The token bucket refilled at 2025-11-03T09:12:00Z; token: expired.",
        "secret/payments/provider version 14, password rotation at 10:05",
        "The secret-scanning audit flagged 19 job logs; the Secret Manager key was rotated.",
        "-----BEGIN CERTIFICATE-----\n"
        "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----",
        "Timestamps 1761834120, 2025-10-30T14:22:00Z and build 20251030.142200.",
        "![graph](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk)",
        "eyJ alone, or eyJhbGciOiJIUzI1NiJ9 without the other parts",
        "ghp_ prefix alone, sk_live_ too short: sk_live_abc",
    ],
)
def test_ordinary_incident_text_does_not_alarm(text: str) -> None:
    assert scan_text(text) == []


@pytest.mark.parametrize("path", sorted((REPO / "incidents").rglob("*.md")), ids=lambda p: p.name)
def test_sample_postmortems_do_not_alarm(path: Path) -> None:
    assert scan_text(path.read_text(encoding="utf-8")) == []


def test_docs_do_not_alarm() -> None:
    for path in sorted((REPO / "docs").glob("*.md")):
        assert scan_text(path.read_text(encoding="utf-8")) == [], path


def test_allow_comment_with_reason_on_the_line_or_above() -> None:
    sample = SAMPLES[0]
    above = f"<!-- secret-allow: revoked test key quoted from the CI log -->\n{sample.line}\n"
    same = f"{sample.line} <!-- secret-allow: revoked test key -->\n"
    yaml_comment = f"# secret-allow: test key of the staging account\nkey: {sample.line}\n"
    for text in (above, same, yaml_comment):
        result = scan(text)
        assert result.hits == []
        assert [a.hit.rule for a in result.allowed] == [sample.rule]
        assert redact(text) == text  # an allowed value is not a secret
    assert scan(above).allowed[0].reason == "revoked test key quoted from the CI log"


def test_allow_comment_does_not_reach_further() -> None:
    sample = SAMPLES[0]
    text = f"<!-- secret-allow: revoked test key -->\n\n{sample.line}\n"
    assert [h.rule for h in scan_text(text)] == [sample.rule]


@pytest.mark.parametrize(
    "comment", ["<!-- secret-allow -->", "<!-- secret-allow: -->", "# secret-allow:"]
)
def test_allow_comment_without_reason_is_reported_and_silences_nothing(comment: str) -> None:
    sample = SAMPLES[0]
    text = f"Intro.\n{comment}\n{sample.line}\n"
    hits = scan_text(text)
    assert [(h.rule, h.line) for h in hits] == [(ALLOW_WITHOUT_REASON, 2), (sample.rule, 3)]
    assert hits[0].column == 1 and "reason" in hits[0].message
    assert scan_text(f"{comment}\nNo secret here.\n")[0].rule == ALLOW_WITHOUT_REASON


def test_scan_value_places_hits_in_the_source() -> None:
    sample = next(s for s in SAMPLES if s.rule == "secret/github-token")
    plain = scan_value(sample.line, line=12, column=10)
    assert [(h.line, h.column) for h in plain] == [(12, 9 + sample.column)]
    quoted = scan_value(sample.line, line=12, column=10, style='"')
    assert [(h.line, h.column) for h in quoted] == [(12, 10 + sample.column)]
    block = scan_value("first line\n" + sample.line + "\n", line=12, column=10, style="|")
    assert [(h.line, h.column) for h in block] == [(14, sample.column)]
    assert scan_value("INC-2025-033", 2, 5) == []


def test_mask_keeps_at_most_four_leading_characters() -> None:
    assert mask("ABCDEFGHIJKLMNOPQRST") == "ABCD" + "*" * 16
    assert mask("abcdefgh") == "ab******"
    assert mask("abc") == "***"
    assert mask("ab\ncd\n") == "a*\n**\n"
    assert mask("") == ""


def test_masked_form_is_short_for_long_values() -> None:
    hit = _only("pypi token " + next(s for s in SAMPLES if s.rule == "secret/pypi-token").secret)
    assert hit.masked.startswith("pypi") and len(hit.masked) <= 25


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)


def test_overlaps_go_to_the_earlier_rule() -> None:
    pypi = next(s for s in SAMPLES if s.rule == "secret/pypi-token")
    assert pypi.line.startswith("password = ")
    assert _only(pypi.line).rule == "secret/pypi-token"


def _data(**rule: object) -> dict[str, object]:
    base = {"id": "demo", "kind": "demo", "keywords": ["demo"], "regex": "demo=(?P<secret>\\w+)"}
    return {
        "version": 1,
        "settings": {"placeholders": [], "not_secret_substrings": []},
        "rules": [{**base, **rule}],
    }


def test_custom_rules_and_their_errors(tmp_path: Path) -> None:
    scanner = SecretScanner(compile_rules(_data()))
    assert [h.rule for h in scanner.scan("x DEMO=abc123 demo=zz").hits] == ["secret/demo"]
    with pytest.raises(SecretRulesError, match="named group"):
        compile_rules(_data(regex="demo=\\w+"))
    with pytest.raises(SecretRulesError, match="bad regular expression"):
        compile_rules(_data(regex="demo=(?P<secret>"))
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({**_data(), "rules": [{"id": "Bad Id"}]}), encoding="utf-8")
    with pytest.raises(SecretRulesError, match="rules"):
        load_rules(path)
    path.write_text("rules: [", encoding="utf-8")
    with pytest.raises(SecretRulesError, match="not valid YAML"):
        load_rules(path)


def test_non_ascii_text_keeps_columns() -> None:
    sample = SAMPLES[0]
    text = f"İstanbul ops — Straße: {sample.line}\n"
    hit = _only(text)
    assert hit.column == len("İstanbul ops — Straße: ") + sample.column
