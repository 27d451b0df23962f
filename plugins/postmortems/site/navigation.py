"""The sidebar: the views and the year pages, never one entry per post-mortem.

Works on the ``nav`` data of mkdocs.yml (strings and one-key mappings) before MkDocs turns
it into pages, so MkDocs itself checks every entry and computes previous/next links.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any


def with_year_pages(nav: Any, index_uri: str, years: Sequence[tuple[str, str]]) -> Any:
    """``nav`` with the entry of ``index_uri`` turned into a section of it and its years.

    ``years`` holds (title, uri) pairs, newest first. ``nav`` is not modified.
    """
    if not years or nav is None:
        return nav
    children: list[Any] = [index_uri, *({title: uri} for title, uri in years)]

    def rewrite(item: Any) -> Any:
        if item == index_uri:
            return {"Incidents": children}
        if isinstance(item, dict) and len(item) == 1:
            (title, value), = item.items()
            if value == index_uri:
                return {title: children}
            if isinstance(value, list):
                return {title: [rewrite(child) for child in value]}
        return item

    return [rewrite(item) for item in copy.deepcopy(nav)]
