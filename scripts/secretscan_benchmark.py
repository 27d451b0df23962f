"""Measure the secret scanner: speed on the samples and on secret-free text, detection, noise.

Prints figures, asserts nothing. With ``detect-secrets`` installed (``pip install
detect-secrets``; not a dependency of the project) the same figures are printed for it, with
all its plugins on, scanning line by line as its ``scan_line`` does.

    python scripts/secretscan_benchmark.py [--repeat 5]

Timings are the best of ``--repeat`` runs. The machine's speed is shown as the cost of one
substring search over 10 KB (``"zqzq" in text``), so the figures can be compared across
machines as "passes over the text".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import timeit
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "plugins"), str(REPO / "tests" / "core")]

from secret_samples import gcp_key_file, samples  # noqa: E402

from postmortems.secretscan import default_scanner  # noqa: E402


def best(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Best seconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def secret_free_chunks(texts: list[str], size: int = 10 * 1024) -> list[str]:
    """The sample post-mortems cut into 10 KB pieces."""
    joined = "\n".join(texts)
    while len(joined) < 10 * size:
        joined += "\n" + joined
    return [joined[i : i + size] for i in range(0, len(joined) - size + 1, size)]


def detect_secrets_scanner(tmp: Path) -> Callable[[str], list[tuple[int, str]]] | None:
    """A function that scans a text with detect-secrets, or None when it is not installed.

    The text goes through a file in ``tmp`` and ``scan_file``: detect-secrets' normal mode,
    less noisy than its ad-hoc ``scan_line`` (which searches high-entropy strings eagerly).
    """
    try:
        from detect_secrets.core.scan import scan_file
        from detect_secrets.settings import default_settings
    except ImportError:
        return None
    target = tmp / "postmortem.md"

    def run(text: str) -> list[tuple[int, str]]:
        target.write_text(text, encoding="utf-8")
        with default_settings():
            return [(hit.line_number, hit.type) for hit in scan_file(str(target))]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    paths = sorted((REPO / "incidents").rglob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    chunks = secret_free_chunks(texts)
    kinds = samples()
    gcp, _, _ = gcp_key_file()
    kb = sum(len(t) for t in texts) / 1024
    yardstick = best(lambda: ["zqzq" in c for c in chunks], 200, args.repeat) / len(chunks)
    print(f"{len(texts)} sample post-mortems, {kb / len(texts):.1f} KB on average")
    print(f"yardstick: one substring search over 10 KB = {yardstick * 1e6:.1f} us")

    ours = default_scanner()
    per_file = best(lambda: [ours.scan(t) for t in texts], 50, args.repeat) / len(texts)
    per_chunk = best(lambda: [ours.scan(c) for c in chunks], 50, args.repeat) / len(chunks)
    hits = sum(len(ours.scan(t).hits) for t in texts)
    found = sum(1 for s in kinds if [h.rule for h in ours.scan(s.line).hits] == [s.rule])
    print("\nown rules (schemas/secret-rules.yml):")
    print(f"  {per_file * 1e6:8.1f} us per sample file, {per_chunk * 1e6:.1f} us per 10 KB")
    print(f"  = {per_chunk / yardstick:.1f} yardsticks per 10 KB")
    print(f"  false alarms on the samples: {hits}; detected: {found}/{len(kinds)} kinds")
    print(f"  GCP key file: {[h.rule for h in ours.scan(gcp).hits]}")

    with tempfile.TemporaryDirectory() as tmp:
        compare(detect_secrets_scanner(Path(tmp)), paths, texts, chunks, yardstick, args.repeat)


def compare(
    theirs: Callable[[str], list[tuple[int, str]]] | None,
    paths: list[Path],
    texts: list[str],
    chunks: list[str],
    yardstick: float,
    repeat: int,
) -> None:
    """The same figures for detect-secrets."""
    kinds = samples()
    gcp, _, _ = gcp_key_file()
    if theirs is None:
        print("\ndetect-secrets: not installed")
        return
    per_file = best(lambda: [theirs(t) for t in texts], 2, repeat) / len(texts)
    per_chunk = best(lambda: [theirs(c) for c in chunks[:5]], 2, repeat) / 5
    alarms = [(p.name, n, kind) for p, t in zip(paths, texts, strict=True) for n, kind in theirs(t)]
    missed = [s.rule for s in kinds if not theirs(s.line)]
    print("\ndetect-secrets (all plugins, line by line):")
    print(f"  {per_file * 1e6:8.1f} us per sample file, {per_chunk * 1e6:.1f} us per 10 KB")
    print(f"  = {per_chunk / yardstick:.1f} yardsticks per 10 KB")
    print(f"  false alarms on the samples: {len(alarms)}")
    for (name, kind), count in sorted(Counter((n, k) for n, _, k in alarms).items()):
        print(f"    {name}: {count} x {kind}")
    print(f"  missed {len(missed)}/{len(kinds)} samples: {sorted(set(missed))}")
    print(f"  GCP key file: {sorted({kind for _, kind in theirs(gcp)})}")


if __name__ == "__main__":
    main()
