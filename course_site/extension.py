"""The site's own Sphinx extension: the language switcher's links, and on each lesson page a link to
the edition's student notebook and the time the lesson took to run when the site was built.

Configuration (set by course_site.build): `course_site_notebooks`, the folder of the edition's student
notebooks (`course/<language>/`); a page `<id>/<id>` is a lesson when `<id>/<id>.ipynb` is one of them,
and the notebook is copied to `notebooks/` in the output.
"""

import html
import shutil
from pathlib import Path

from docutils import nodes
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri

from autograde.editions import LANGUAGES

LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}  # each in its own language, as a switcher shows them
DOWNLOADS = "notebooks"  # the output folder of the student notebooks
LABELS = {
    "en": {
        "download": "Download the student notebook: {file}",
        "runtime": "Running the whole lesson took {duration} when this site was built.",
        "duration": "{minutes} min {seconds} s",
    },
    "ja": {
        "download": "受講者用ノートブックをダウンロード: {file}",
        "runtime": "このサイトを作ったとき、レッスン全体の実行に{duration}かかりました。",
        "duration": "{minutes}分{seconds}秒",
    },
}


def setup(app: Sphinx) -> dict:
    app.add_config_value("course_site_notebooks", "", "env", types=[str])
    app.connect("html-page-context", add_language_links)
    app.connect("doctree-resolved", add_lesson_info)
    app.connect("build-finished", copy_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def add_language_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """`language_links`: this page in every language, each build in a sibling folder named by language."""
    up = "../" * (pagename.count("/") + 1)
    target = app.builder.get_target_uri(pagename)
    context["language_links"] = [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "url": f"{up}{code}/{target}",
            "current": code == app.config.language,
        }
        for code in LANGUAGES
    ]


def student_notebooks(app: Sphinx) -> dict[str, Path]:
    """docname -> the student notebook of that lesson page."""
    folder = Path(app.config.course_site_notebooks)
    return {
        docname: folder / f"{docname}.ipynb"
        for docname in app.env.found_docs
        if (folder / f"{docname}.ipynb").is_file()
    }


def add_lesson_info(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    notebook = student_notebooks(app).get(docname)
    if notebook is None:
        return
    runtime = (NbMetadataCollector.get_exec_data(app.env, docname) or {}).get("runtime")
    link = relative_uri(app.builder.get_target_uri(docname), f"{DOWNLOADS}/{notebook.name}")
    info = nodes.raw("", lesson_info(app.config.language, link, notebook.name, runtime), format="html")
    title_section = next(iter(doctree.findall(nodes.section)))
    title_section.insert(1, info)


def lesson_info(language: str, link: str, file: str, runtime: float | None) -> str:
    """The HTML of a lesson's download link and, when the build ran the lesson, how long it took."""
    labels = LABELS[language]
    download = html.escape(labels["download"].format(file=file))
    parts = [f'<a class="lesson-download" href="{html.escape(link)}" download>{download}</a>']
    if runtime is not None:
        minutes, seconds = divmod(round(runtime), 60)
        duration = labels["duration"].format(minutes=minutes, seconds=seconds)
        parts.append(f'<span class="lesson-runtime">{html.escape(labels["runtime"].format(duration=duration))}</span>')
    return f'<p class="lesson-info">{"<br>".join(parts)}</p>'


def copy_downloads(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / DOWNLOADS
    folder.mkdir(exist_ok=True)
    for notebook in student_notebooks(app).values():
        shutil.copyfile(notebook, folder / Path(notebook).name)
