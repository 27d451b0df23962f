"""Files under ``.cache/postmortems/``: the folder (ignored by git) and atomic JSON writes.

The checker, the settings and the site each keep a cache there. A read-only project still
works: it only recomputes each time, so failures to write are reported, never raised.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["make_cache_folder", "write_json"]


def make_cache_folder(folder: Path) -> bool:
    """Create ``folder`` with a ``.gitignore`` that keeps it out of git; False if it cannot."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
    except OSError:
        return False
    return True


def write_json(path: Path, data: Any) -> bool:
    """Write ``data`` as compact JSON to ``path`` atomically (readers see the old file or the
    new one, never part of one), creating its cache folder; False if it cannot."""
    if not make_cache_folder(path.parent):
        return False
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(temporary, path)
    except OSError:
        return False
    return True
