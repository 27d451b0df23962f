"""Checks of what the build would publish: page paths, names, links and Markdown depth.

Everything the site build would fail on, or silently overwrite or mangle, is found here
first, so ``postmortem check`` and ``mkdocs build`` give the same verdict.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, Level
from .model import Postmortem
from .site.urls import slug

#: Longest file name most file systems accept, in bytes.
MAX_NAME_BYTES = 255
#: Suffix a generated page adds to a slug: ``<slug>.md`` in the docs, ``<slug>.html`` or
#: ``<slug>/index.html`` in the site.
_PAGE_SUFFIX_BYTES = len(".html")
#: Deepest list or quote nesting accepted. Python-Markdown (3.x, with the extensions of
#: this project's mkdocs.yml and 150 frames left for MkDocs' own stack) recurses once per
#: level and raises RecursionError past about 210 levels of a tab-indented list, 280 nested
#: admonitions and 420 of ``- `` repeated on one line; a 1,000-deep tab-indented list takes
#: over a minute and 750 MB before it fails. 100 levels render in well under a second.
MAX_NESTING = 100
#: File names the plugin or MkDocs use for a folder's index page.
RESERVED_NAMES = ("index.md", "readme.md")
#: Slugs of services whose page would be the services index.
RESERVED_SLUGS = ("index", "readme")
_YEAR = re.compile(r"\d{4}")
#: Letters of other scripts that look like Latin ones, as they appear in tags.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁɡӏАВЕКМНОРСТХІЈЅαβεικνορτυχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ",
    "aeopcyxijsdglABEKMHOPCTXIJSabeiknoptuxABEHIKMNOPTYXZ",
)


@dataclass
class Discovery:
    """Every file under the folders searched: to check, and refused or ignored with why."""

    markdown: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ignored: list[Finding] = field(default_factory=list)
    #: What the walk learnt of the files to check: stat (links followed), when it was taken
    #: and whether the file is a link. Files named directly are not in it.
    stats: dict[Path, tuple[os.stat_result, int, bool]] = field(default_factory=dict)
    #: Files with a Markdown suffix in any case that were refused (a wrong-case suffix, a
    #: link out of the folder): the walk's other Markdown files.
    refused_markdown: list[Path] = field(default_factory=list)
    #: Per folder searched (as given): the folders walked and the folders seen in them,
    #: relative to it (``""`` is the folder itself).
    folders: dict[Path, tuple[set[str], set[str]]] = field(default_factory=dict)


def _hidden(part: str) -> bool:
    return part.startswith((".", "_"))


def discover_all(paths: Iterable[Path], shown: Callable[[Path], str]) -> Discovery:
    """Walk ``paths`` without following links; account for every file found.

    ``shown`` turns a path into the path shown to users. Files and folders whose name
    starts with ``.`` or ``_`` are helpers (``_template.md``) and are skipped silently.
    """
    out = Discovery()
    seen: set[Path] = set()
    for root in paths:
        if not root.is_dir():
            if root not in seen:
                seen.add(root)
                out.markdown.append(root)
            continue
        top = root.resolve()
        start = len(out.markdown)
        walked: set[str] = set()
        seen_folders: set[str] = set()
        out.folders[root] = (walked, seen_folders)
        _walk(root, "", top, shown, out, seen, walked, seen_folders,
              getattr(shown, "not_a_link", None))
        out.markdown[start:] = sorted(out.markdown[start:])  # as the paths sort, not as walked
    return out


def _walk(base: Path, relative: str, top: Path, shown: Callable[[Path], str], out: Discovery,
          seen: set[Path], walked: set[str], seen_folders: set[str],
          known_file: Callable[[Path, Path], None] | None) -> None:
    """One folder of :func:`discover_all`, then its sub-folders in name order (as
    ``os.walk`` goes, from one listing of each folder). ``known_file`` is told of each file
    that is not a link (``shown`` need not find out again)."""
    try:
        listing = list(os.scandir(base))
    except OSError:
        return
    walked.add(relative)
    dirs, files = [], []
    for entry in listing:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        (dirs if is_dir else files).append(entry)
    dirs.sort(key=lambda e: e.name)
    seen_folders.update(f"{relative}{e.name}" for e in dirs)
    descend = []
    for entry in dirs:
        if _hidden(entry.name):
            continue
        if entry.is_symlink():
            out.findings.append(_symlink(base / entry.name, top, shown, folder=True))
        else:
            descend.append(entry.name)
    files.sort(key=lambda e: e.name)
    for entry in files:
        name = entry.name
        path = base / name
        if _hidden(name) or path in seen:
            continue
        seen.add(path)
        seen_ns = time.time_ns()
        link = entry.is_symlink()
        if link:
            target = path.resolve()
            if not _inside(target, top) or not target.is_file():
                out.findings.append(_symlink(path, top, shown, folder=False))
                if path.suffix.lower() in (".md", ".markdown"):
                    out.refused_markdown.append(path)
                continue
        if not link and known_file is not None:
            known_file(path, base)
        if _classify(path, shown(path), out):
            with contextlib.suppress(OSError):  # gone since listed: stat'ed again later
                out.stats[path] = (entry.stat(), seen_ns, link)
        elif path.suffix.lower() in (".md", ".markdown"):
            out.refused_markdown.append(path)
    for name in descend:
        _walk(base / name, f"{relative}{name}/", top, shown, out, seen, walked, seen_folders,
              known_file)


def _inside(path: Path, top: Path) -> bool:
    try:
        path.relative_to(top)
    except ValueError:
        return False
    return True


def _symlink(path: Path, top: Path, shown: Callable[[Path], str], *, folder: bool) -> Finding:
    kind = "folder" if folder else "file"
    outside = not _inside(path.resolve(), top)
    where = "outside the incidents folder" if outside else "inside the incidents folder"
    return Finding(
        shown(path), 0, "symlink", Level.ERROR,
        f"'{path.name}' is a symbolic link to a {kind} {where}; links are not followed",
        "move the post-mortem itself into the incidents folder"
        if outside or not folder
        else "move the folder's post-mortems here instead of linking the folder",
    )


def _classify(path: Path, shown: str, out: Discovery) -> bool:
    """Whether ``path`` is to be checked (else it is refused or ignored, with why)."""
    suffix = path.suffix
    if suffix in (".md", ".markdown"):
        out.markdown.append(path)
        return True
    if suffix.lower() in (".md", ".markdown"):
        # MkDocs treats only lower-case suffixes as pages: '.MD' would be copied raw.
        out.findings.append(Finding(
            shown, 0, "markdown-extension", Level.ERROR,
            f"'{path.name}' has the suffix '{suffix}', which MkDocs does not read as a page",
            f"rename it to '{path.stem}{suffix.lower()}'",
        ))
    elif _looks_like_postmortem(path):
        out.findings.append(Finding(
            shown, 0, "not-markdown", Level.ERROR,
            f"'{path.name}' starts with front matter but is not a .md file",
            f"rename it to '{path.stem}.md' to have it checked and published",
        ))
    else:
        out.ignored.append(Finding(
            shown, 0, "ignored-file", Level.INFO,
            f"'{path.name}' is not a post-mortem (no .md suffix, no front matter); "
            "it is neither checked nor published",
            "keep attachments elsewhere or link them from a post-mortem by a full URL",
        ))
    return False


def _looks_like_postmortem(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"---")


def check_publishing(
    postmortems: Sequence[Postmortem], incidents: Path,
    folders: tuple[set[str], set[str]] | None = None,
) -> list[Finding]:
    """Findings for what publishing ``postmortems`` would break, overwrite or mangle.

    ``folders`` are what :func:`discover_all` saw under ``incidents`` (walked, and seen in
    them): a file beside a folder of its name is then found without a stat of its own.
    """
    findings: list[Finding] = []
    top = incidents.resolve()
    for pm in postmortems:
        findings.extend(_reserved(pm, top, folders))
        findings.extend(_long_names(pm))
        findings.extend(check_nesting(pm))
    findings.extend(_collisions(postmortems, "services", error=True))
    findings.extend(_collisions(postmortems, "tags", error=False))
    return findings


def _reserved(pm: Postmortem, top: Path,
              folders: tuple[set[str], set[str]] | None = None) -> Iterator[Finding]:
    """``top`` is the incidents folder, resolved; ``folders`` as for :func:`check_publishing`."""
    path = pm.source.abs_path
    if path is None:
        return
    # Both paths are resolved: inside is a matter of their text (as ``relative_to`` is).
    text, base = str(path), str(top)
    base = base if base.endswith(os.sep) else base + os.sep
    if not text.startswith(base):
        return
    relative = text[len(base):].replace(os.sep, "/")
    name = path.name
    if name.lower() in RESERVED_NAMES:
        why = f"'{name}' is the index page of its folder, which the site generates"
    elif "/" not in relative and _YEAR.fullmatch(path.stem):
        why = f"'{name}' has the address of the {path.stem} index page the site generates"
    elif _folder_beside(path, relative, folders):
        why = (f"'{name}' has the address of the folder '{path.stem}/' beside it "
               "(MkDocs gives both the same page)")
    else:
        return
    yield Finding(
        pm.path, 0, "reserved-path", Level.ERROR, why,
        f"rename the file, e.g. to '{_example_name(pm)}'",
    )


def _folder_beside(path: Path, relative: str,
                   folders: tuple[set[str], set[str]] | None) -> bool:
    """Whether the folder ``path`` without its suffix exists; ``relative`` is ``path``
    inside the incidents folder, as a POSIX path."""
    if folders is not None:
        suffix = path.suffix
        stem = relative[: -len(suffix)] if suffix else relative
        parent = stem.rpartition("/")[0]
        if (f"{parent}/" if parent else "") in folders[0]:
            return stem in folders[1]
    return path.with_suffix("").is_dir()


def _example_name(pm: Postmortem) -> str:
    started = pm.meta.get("started")
    day = started[:10] if isinstance(started, str) else "2026-03-14"
    return f"{day}-{slug(pm.title)[:60]}.md"


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _long_names(pm: Postmortem) -> Iterator[Finding]:
    path = pm.source.abs_path
    if path is not None and len(path.stem.encode()) + _PAGE_SUFFIX_BYTES > MAX_NAME_BYTES:
        yield Finding(
            pm.path, 0, "name-too-long", Level.ERROR,
            f"the file name is {len(path.name.encode())} bytes; its page would be over "
            f"{MAX_NAME_BYTES}",
            "shorten the file name: the date and a few words of the title",
        )
    for index, name in enumerate(_strings(pm.meta.get("services"))):
        size = len(_slug(name).encode())
        if size + _PAGE_SUFFIX_BYTES > MAX_NAME_BYTES:
            line, column = _position(pm, "services", index)
            yield Finding(
                pm.path, line, "name-too-long", Level.ERROR,
                f"services[{index}]: the service page's file name would be {size} bytes, "
                f"over the {MAX_NAME_BYTES} that file systems allow",
                "use the service's short name",
                column,
            )


def _position(pm: Postmortem, *path: str | int) -> tuple[int, int]:
    position = pm.source.front_matter.position_of(path)
    return (position.line, position.column) if position else (1, 0)


@functools.lru_cache(maxsize=4096)
def tag_key(tag: str) -> str:
    """The spelling-blind form of a tag: case, accents, width and look-alike letters."""
    text = unicodedata.normalize("NFKD", tag).translate(_LOOKALIKES)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def _collisions(postmortems: Sequence[Postmortem], key: str, *, error: bool) -> Iterator[Finding]:
    """Names that differ but share one page (services) or one tag (tags)."""
    normal = _slug if key == "services" else tag_key
    # normal form -> (spelling, post-mortem, index); positions are looked up for findings only
    first: dict[str, tuple[str, Postmortem, int]] = {}
    uses: list[tuple[Postmortem, int, str, str]] = []
    for pm in postmortems:
        if not pm.source.readable:
            continue
        for index, name in enumerate(_strings(pm.meta.get(key))):
            form = normal(name)
            if form not in first:
                first[form] = (name, pm, index)
            uses.append((pm, index, name, form))
    for pm, index, name, form in uses:
        other, first_pm, first_index = first[form]
        if other == name and not (error and form in RESERVED_SLUGS):
            continue
        where, other_line = first_pm.path, _position(first_pm, key, first_index)[0]
        line, column = _position(pm, key, index)
        if error and form in RESERVED_SLUGS:
            yield Finding(pm.path, line, "reserved-path", Level.ERROR,
                          f"services[{index}]: the page of '{name}' would replace the "
                          "services index page", "use the service's full name", column)
            continue
        if other == name:
            continue
        if error:
            message = (f"services[{index}]: '{name}' and '{other}' ({where}:{other_line}) "
                       f"would share the page services/{form}")
            hint = f"spell the service '{other}' everywhere, or give it a distinct name"
        else:
            message = (f"tags[{index}]: '{name}' differs from the tag '{other}' "
                       f"({where}:{other_line}) only in case, accents or look-alike letters")
            hint = f"write '{other}'; the site lists both under one tag"
        yield Finding(pm.path, line, "name-collision",
                      Level.ERROR if error else Level.WARNING, message, hint, column)


@functools.lru_cache(maxsize=4096)
def _slug(name: str) -> str:
    return slug(name)


def check_nesting(pm: Postmortem) -> Iterator[Finding]:
    """Lists and quotes nested deeper than the site's Markdown renderer can follow."""
    document = pm.document
    if document is None:
        return
    code = {line for block in document.code_blocks
            for line in range(block.line, block.end_line + 1)}
    for number, text in enumerate(pm.source.body.split("\n"), start=pm.source.body_line):
        if number in code:
            continue
        depth = nesting(text)
        if depth > MAX_NESTING:
            yield Finding(
                pm.path, number, "markdown-too-deep", Level.ERROR,
                f"lists or quotes nest {depth} levels deep here, over the {MAX_NESTING} the "
                "site's Markdown renderer can follow",
                "flatten the list: a few levels are enough",
                1,
            )
            return


def nesting(line: str) -> int:
    """An upper bound of the list and quote levels ``line`` opens (indent counts too)."""
    columns = depth = 0
    index = 0
    size = len(line)
    while index < size:
        char = line[index]
        if char == " ":
            columns += 1
        elif char == "\t":
            columns += 4 - columns % 4
        elif char == ">" or (char in "-*+" and line[index + 1 : index + 2] in (" ", "\t")):
            depth += 1
        elif char.isdigit():
            end = index
            while end < size and line[end].isdigit():
                end += 1
            if end < size - 1 and line[end] in ".)" and line[end + 1] in " \t":
                depth += 1
                index = end
            else:
                break
        else:
            break
        index += 1
    return depth + columns // 4
