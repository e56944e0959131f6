"""Links of a markdown page, from where its source lies in the repository to where it lies on the site.

The guides, README and the developers' pages link to files by their paths in the repository
(`docs/ja/student-guide.md`, `../threat-model.md`). On the site a page lies elsewhere (a Japanese guide
is `docs/<guide>` of the Japanese site) and some targets are pages of the other language's site (a
Japanese guide's link to its English original). `site_links` rewrites each relative link of a page:

- to a page of the same site: the staged file's path relative to this page (Sphinx resolves it, and
  fails the build if it does not);
- to a page of the other language's site: an HTML link to that page's URL;
- to any other file or folder of the repository (nothing on the site shows it): the link's text alone.

Links with a scheme (https:, mailto:) and links within the page (#section) stay as they are; so does
everything inside code.
"""

import functools
import html
import posixpath
import re
from dataclasses import dataclass

from autograde.catalogs import split_blocks

LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


@dataclass(frozen=True)
class SiteMap:
    """Repository path -> staged file path (posix, relative to the language's source root), per language."""

    language: str
    pages: dict[str, dict[str, str]]  # language -> {repository path: staged path}

    def rewrite(self, markdown: str, source: str, staged: str) -> str:
        """`markdown`, read from the repository path `source` and staged at `staged`."""
        rewrite_link = functools.partial(self._link, source, staged)
        return "\n".join(
            piece.text if piece.kind == "code" else outside_code_spans(piece.text, rewrite_link)
            for piece in split_blocks(markdown)
        )

    def _link(self, source: str, staged: str, match: re.Match) -> str:
        text, target = match["text"], match["target"]
        path, _, fragment = target.partition("#")
        if not path or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", path):
            return match[0]
        anchor = f"#{fragment}" if fragment else ""
        in_repository = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        here = self.pages[self.language].get(in_repository)
        if here is not None:
            return f"[{text}]({posixpath.relpath(here, posixpath.dirname(staged) or '.')}{anchor})"
        for other, pages in self.pages.items():
            if other != self.language and in_repository in pages:
                up = "../" * (staged.count("/") + 1)
                url = f"{up}{other}/{posixpath.splitext(pages[in_repository])[0]}.html{anchor}"
                return f'<a href="{html.escape(url)}" hreflang="{other}">{text}</a>'
        return text


def outside_code_spans(text: str, rewrite_link) -> str:
    """`text` with LINK rewritten everywhere but inside `code spans`."""
    parts, position = [], 0
    for span in CODE_SPAN.finditer(text):
        parts += [LINK.sub(rewrite_link, text[position : span.start()]), span[0]]
        position = span.end()
    return "".join(parts + [LINK.sub(rewrite_link, text[position:])])
