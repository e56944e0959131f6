"""Translation catalogs (gettext .po, read and written with polib) for markdown text.

A markdown text is cut into blocks at blank lines; a fenced code block is one block however many blank
lines it holds (and a fence ends the block before it), and it is never translated (code reads the same
in every edition). Every other block is one message: translators see a paragraph, a list, a table or
a display formula at a time, and a change to one paragraph of the source makes only that message stale.

The catalogs live in `locale/<language>/<domain>.po` (README.md says which language is the source of
what). `update_catalog` brings a catalog in step with its source the way gettext's msgmerge does: a new
block gets an empty message, a changed block inherits the translation of the block it most resembles,
marked fuzzy (stale) until a translator checks it, a removed block's message becomes obsolete.
"""

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import polib

from autograde.errors import AutogradeError

FENCE = re.compile(r"^\s*(```|~~~)")
# A changed block inherits the old translation of the most similar removed one above this ratio.
FUZZY_MATCH = 0.6


@dataclass(frozen=True)
class Piece:
    """A run of lines: a block of prose, a fenced code block, or the blank lines between blocks."""

    text: str
    kind: str  # "prose", "code" or "gap"


def split_blocks(markdown: str) -> list[Piece]:
    """`markdown` cut into pieces; `"\\n".join(piece.text for piece in pieces) == markdown`."""
    runs: list[tuple[str, list[str]]] = []
    fence, closed = None, False
    for line in markdown.split("\n"):
        opening = FENCE.match(line)
        if fence is not None:  # inside a code block, blank lines included
            runs[-1][1].append(line)
            if opening and opening.group(1) == fence:
                fence, closed = None, True
            continue
        kind = "gap" if not line.strip() else "code" if opening else "prose"
        if not runs or kind == "code" or closed or runs[-1][0] != kind:
            runs.append((kind, []))
        runs[-1][1].append(line)
        fence, closed = (opening.group(1) if opening else None), False
    return [Piece("\n".join(lines), kind) for kind, lines in runs]


def messages(markdown: str) -> list[str]:
    """The translatable blocks of `markdown`, in order."""
    return [piece.text for piece in split_blocks(markdown) if piece.kind == "prose"]


class Catalog:
    """One .po file: the translations of one domain (a lesson or a guide) into one language."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise AutogradeError(f"no translation catalog {path}; run `make translations` to create it")
        self.path = path
        self.po = polib.pofile(str(path))
        self._translations = {
            entry.msgid: entry.msgstr
            for entry in self.po
            if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
        }

    def translate(self, markdown: str) -> str:
        """`markdown` with every translatable block replaced by its translation.

        Raises AutogradeError naming the first block that has no translation (or only a stale one)."""
        texts = []
        for piece in split_blocks(markdown):
            if piece.kind == "prose" and piece.text not in self._translations:
                raise AutogradeError(
                    f"{self.path} has no up-to-date translation of {piece.text[:80]!r}; "
                    "run `make translations` and translate its empty or fuzzy messages"
                )
            texts.append(self._translations[piece.text] if piece.kind == "prose" else piece.text)
        return "\n".join(texts)

    def problems(self, sources: list[str]) -> list[str]:
        """What keeps this catalog from translating `sources` (markdown texts): blocks it lacks,
        messages with no translation or a stale (fuzzy) one, and messages whose block is gone."""
        expected = [text for markdown in sources for text in messages(markdown)]
        entries = {entry.msgid: entry for entry in self.po if not entry.obsolete}
        found = [f"no message for {_short(text)}: run `make translations`" for text in expected if text not in entries]
        for msgid, entry in entries.items():
            if msgid not in expected:
                found.append(f"message for a block that is gone, {_short(msgid)}: run `make translations`")
            elif "fuzzy" in entry.flags:
                found.append(f"fuzzy message (its source changed: check the translation): {_short(msgid)}")
            elif not entry.msgstr:
                found.append(f"untranslated message: {_short(msgid)}")
        return found


def _short(text: str) -> str:
    return repr(" ".join(text.split())[:60])


def update_catalog(path: Path, language: str, domain: str, sources: list[tuple[str, str]]) -> None:
    """Bring `path` in step with `sources`, a list of (where, markdown) in the order a reader meets them.

    msgmerge's rules: existing translations kept; a new block whose text resembles a block that has gone
    gets that block's translation, marked fuzzy; blocks that have gone are kept as obsolete messages."""
    old = polib.pofile(str(path)) if path.is_file() else polib.POFile()
    previous = {entry.msgid: entry for entry in old if not entry.obsolete}
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": f"rlhf-course {domain}",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    entries: dict[str, polib.POEntry] = {}
    for where, markdown in sources:
        for text in messages(markdown):
            if text in entries:
                entries[text].occurrences.append((where, ""))
                continue
            kept = previous.get(text)
            entry = polib.POEntry(msgid=text, msgstr=kept.msgstr if kept else "", occurrences=[(where, "")])
            if kept and "fuzzy" in kept.flags:
                entry.flags.append("fuzzy")
                entry.previous_msgid = kept.previous_msgid
            entries[text] = entry
    gone = {msgid: entry for msgid, entry in previous.items() if msgid not in entries and entry.msgstr}
    for entry in entries.values():
        if entry.msgstr or not gone:
            continue
        match = difflib.get_close_matches(entry.msgid, list(gone), n=1, cutoff=FUZZY_MATCH)
        if match:
            entry.msgstr = gone[match[0]].msgstr
            entry.flags.append("fuzzy")
            entry.previous_msgid = match[0]
            del gone[match[0]]
    for entry in entries.values():
        po.append(entry)
    for msgid, entry in gone.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=entry.msgstr, obsolete=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
