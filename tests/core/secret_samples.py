"""Fake credentials of every detected kind, built at run time.

Prefixes are assembled from pieces and bodies come from a seeded generator, so the
repository never holds a string that looks like a live secret.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass

_ALNUM = string.ascii_letters + string.digits
_B64 = _ALNUM + "+/"


def _rand(rng: random.Random, alphabet: str, size: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


@dataclass(frozen=True)
class Sample:
    """A line holding one secret: ``line`` contains ``secret`` once, reported as ``rule``."""

    rule: str
    line: str
    secret: str

    @property
    def row(self) -> int:
        """How many lines of ``line`` come before the secret's."""
        return self.line.count("\n", 0, self.line.index(self.secret))

    def column_after(self, prefix: str = "") -> int:
        """The secret's 1-based column when ``line`` follows ``prefix`` on a source line."""
        start = self.line.index(self.secret)
        own = start - (self.line.rfind("\n", 0, start) + 1)
        return own + 1 + (len(prefix) if self.row == 0 else 0)

    @property
    def column(self) -> int:
        return self.column_after()


def samples(seed: int = 7) -> list[Sample]:
    """One or more samples per rule of the stock data (several for some kinds)."""
    rng = random.Random(seed)
    r = lambda alphabet, size: _rand(rng, alphabet, size)  # noqa: E731
    upper32 = string.ascii_uppercase + "234567"
    out: list[Sample] = []

    def add(rule: str, template: str, secret: str) -> None:
        out.append(Sample("secret/" + rule, template.format(s=secret), secret))

    add("aws-access-key-id", "export AWS_ACCESS_KEY_ID={s}", "AK" + "IA" + r(upper32, 16))
    add("aws-access-key-id", '"AccessKeyId": "{s}",', "AS" + "IA" + r(upper32, 16))
    add("aws-secret-access-key", "aws_secret_access_key = {s}", r(_B64, 40))
    add("aws-secret-access-key", '"SecretAccessKey": "{s}",', r(_B64, 40))
    add("gcp-service-account-key", '"private_key_id": "{s}",', r("0123456789abcdef", 40))
    add(
        "github-token",
        "git clone https://{s}@github.com/basketly/ci-lib",
        "gh" + "p_" + r(_ALNUM, 36),
    )
    for prefix in ("o", "u", "s", "r"):
        add("github-token", "GITHUB_TOKEN is {s}", "gh" + prefix + "_" + r(_ALNUM, 36))
    add(
        "github-token",
        "token {s} was revoked",
        "github" + "_pat_" + r(_ALNUM, 22) + "_" + r(_ALNUM, 59),
    )
    add("gitlab-token", "PRIVATE-TOKEN: {s}", "gl" + "pat-" + r(_ALNUM, 20))
    for prefix in ("b", "p", "a", "r"):
        secret = "xo" + "x" + prefix + "-" + r(string.digits, 12) + "-" + r(_ALNUM, 24)
        add("slack-token", "SLACK_BOT={s}", secret)
    add(
        "slack-token", "app token {s}", "xa" + "pp-1-" + r(upper32, 11) + "-" + r(string.digits, 13)
    )
    hook = "T" + r(upper32, 8) + "/B" + r(upper32, 10) + "/" + r(_ALNUM, 24)
    add("slack-webhook", "curl -X POST https://hooks.slack.com/services/{s}", hook)
    for prefix in ("sk_live_", "rk_live_", "sk_test_"):
        add("stripe-secret-key", "STRIPE_KEY={s}", prefix[:3] + prefix[3:] + r(_ALNUM, 24))
    add("stripe-webhook-secret", "signing secret {s}", "wh" + "sec_" + r(_ALNUM, 32))
    add("npm-token", "//registry.npmjs.org/:_authToken={s}", "np" + "m_" + r(_ALNUM, 36))
    macaroon = "pypi-" + "AgEIcHlwaS5vcmc" + r(_ALNUM + "-_", 70)
    add("pypi-token", "password = {s}", macaroon)
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(b'{"sub":"svc-payments","iat":1761834120}').decode()
    jwt = header + "." + payload.rstrip("=") + "." + r(_ALNUM + "-_", 43)
    add("jwt", "Authorization: Bearer {s}", jwt)
    pem_body = r(_B64, 48)
    add("private-key", "-----BEGIN " + "RSA PRIVATE KEY-----\n{s}", pem_body)
    add("url-password", "DATABASE_URL=postgres://orders:{s}@orders-db-1:5432/orders", r(_ALNUM, 14))
    add("url-password", "mongodb+srv://app:{s}@cluster0.mongodb.net/shop", r(_ALNUM, 16))
    add("url-password", "redis://:{s}@cache-1:6379/0", r(_ALNUM, 12))
    add(
        "http-basic-credentials",
        "Authorization: Basic {s}",
        base64.b64encode(("svc:" + r(_ALNUM, 12)).encode()).decode(),
    )
    add("bearer-token", "curl -H 'Authorization: Bearer {s}'", r(_ALNUM, 32))
    add("password-assignment", "PGPASSWORD={s} psql -h orders-db-1", r(_ALNUM, 12))
    add("password-assignment", "db_password: {s}", "Tr0ub4dor&3" + r(string.digits, 2))
    add("secret-assignment", "client_secret={s}", r(_ALNUM, 32))
    add("secret-assignment", '"api_key": "{s}"', r("0123456789abcdef", 32))
    add("secret-assignment", "X_AUTH_TOKEN: {s}", r(_ALNUM, 24))
    return out


def gcp_key_file(seed: int = 11) -> tuple[str, str, str]:
    """A service-account key file's JSON (one key per line), its key id and key body start."""
    rng = random.Random(seed)
    key_id = _rand(rng, "0123456789abcdef", 40)
    body = "MIIEv" + _rand(rng, _B64, 59)
    begin, end = "-----BEGIN " + "PRIVATE KEY-----", "-----END " + "PRIVATE KEY-----"
    text = (
        "{\n"
        '  "type": "service_account",\n'
        '  "project_id": "basketly-prod",\n'
        f'  "private_key_id": "{key_id}",\n'
        f'  "private_key": "{begin}\\n{body}\\n{_rand(rng, _B64, 64)}\\n{end}\\n",\n'
        '  "client_email": "ci@basketly-prod.iam.gserviceaccount.com"\n'
        "}\n"
    )
    return text, key_id, body
