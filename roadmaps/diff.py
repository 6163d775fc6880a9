"""Readable differences between two texts: line by line, with changed lines refined word by
word. The result is plain data; templates escape it and label removed and added words for
screen readers (``roadmaps/sections/_diff.html``)."""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# Below this similarity a changed line is shown as removed and added, not as a word soup.
_MIN_LINE_SIMILARITY = 0.3


@dataclass
class DiffRow:
    """One line of the comparison. ``kind`` is equal, changed, removed, added or skipped
    (a run of unchanged lines left out, ``skipped`` lines long)."""

    kind: str
    old_number: int | None = None
    new_number: int | None = None
    segments: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0


@dataclass
class TextDiff:
    rows: list[DiffRow]
    removed_words: int
    added_words: int

    @property
    def changed(self) -> bool:
        return bool(self.removed_words or self.added_words)


def _words(segments, kind) -> int:
    return sum(len(re.findall(r"\w+", text)) for seg_kind, text in segments if seg_kind == kind)


def _word_segments(old: str, new: str) -> list[tuple[str, str]] | None:
    """Word-level segments of a changed line, or None if the lines have little in common."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < _MIN_LINE_SIMILARITY:
        return None
    segments = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("added", "".join(b[j1:j2])))
    return segments


def text_diff(old: str, new: str, *, context: int = 2) -> TextDiff:
    """Compare ``old`` with ``new``. Unchanged lines further than ``context`` lines from a
    change are folded into one "skipped" row."""
    old_lines = (old or "").replace("\r\n", "\n").split("\n")
    new_lines = (new or "").replace("\r\n", "\n").split("\n")
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                DiffRow("equal", i1 + k + 1, j1 + k + 1, [("equal", old_lines[i1 + k])])
                for k in range(i2 - i1)
            )
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        removed, added = [], []
        for k in range(pairs):
            segments = _word_segments(old_lines[i1 + k], new_lines[j1 + k])
            if segments is None:
                removed.append(
                    DiffRow("removed", i1 + k + 1, None, [("removed", old_lines[i1 + k])])
                )
                added.append(DiffRow("added", None, j1 + k + 1, [("added", new_lines[j1 + k])]))
            else:
                rows.extend(removed + added)
                removed, added = [], []
                rows.append(DiffRow("changed", i1 + k + 1, j1 + k + 1, segments))
        removed.extend(
            DiffRow("removed", i + 1, None, [("removed", old_lines[i])])
            for i in range(i1 + pairs, i2)
        )
        added.extend(
            DiffRow("added", None, j + 1, [("added", new_lines[j])]) for j in range(j1 + pairs, j2)
        )
        rows.extend(removed + added)
    removed_words = sum(_words(row.segments, "removed") for row in rows)
    added_words = sum(_words(row.segments, "added") for row in rows)
    return TextDiff(_fold(rows, context), removed_words, added_words)


def _fold(rows: list[DiffRow], context: int) -> list[DiffRow]:
    """Replace long runs of unchanged lines by a single row saying how many were left out."""
    near_change = [False] * len(rows)
    for index, row in enumerate(rows):
        if row.kind != "equal":
            for k in range(max(0, index - context), min(len(rows), index + context + 1)):
                near_change[k] = True
    folded: list[DiffRow] = []
    run: list[DiffRow] = []
    for row, keep in zip(rows, near_change, strict=True):
        if keep or row.kind != "equal":
            if run:
                folded.append(_skipped(run))
                run = []
            folded.append(row)
        else:
            run.append(row)
    if run:
        folded.append(_skipped(run))
    return folded


def _skipped(run: list[DiffRow]) -> DiffRow:
    if len(run) == 1:
        return run[0]
    return DiffRow("skipped", run[0].old_number, run[0].new_number, [], skipped=len(run))
