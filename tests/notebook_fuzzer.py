"""A structural fuzzer of the real lesson notebooks: what a submission can look like when a student,
an editor or a broken copy mangled it, for tests/test_fuzz.py.

Each case starts from a lesson's student version (course/) or its solution (a student may hand in
something close to it), applies one to three mutations of its JSON (nbgrader metadata types and
values, cell types, sources, outputs, attachments, ids, nbformat versions, missing, duplicated and
shuffled cells, sizes, nesting), and is written out in one of several encodings, sometimes cut off.
Cases are a function of their seed only: a failing case is reproduced by its seed.
"""

import copy
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Values of the wrong type, or of the right type and a wrong value, for any JSON field.
ODD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1e308,
    float("nan"),
    float("inf"),
    "",
    "x" * 5000,
    "\ud800",
    "tests\u202e",
    [],
    ["x"],
    [1, 2],
    {},
    {"a": 1},
    "3",
    "true",
    2**70,
    -0.0,
]
NBGRADER_KEYS = ["grade_id", "points", "schema_version", "solution", "grade", "locked", "task", "cell_type"]


@dataclass(frozen=True)
class Case:
    seed: int
    lesson: str  # the lesson id
    mutations: tuple[str, ...]  # names of what was done, for the report of a failing case
    data: bytes  # the submitted file


def _cells(notebook: dict) -> list[dict]:
    """The cells that are still mappings (an earlier mutation may have broken the list or a cell)."""
    cells = notebook.get("cells")
    return [cell for cell in cells if isinstance(cell, dict)] if isinstance(cells, list) else []


def _graded(notebook: dict) -> list[dict]:
    return [
        cell
        for cell in _cells(notebook)
        if isinstance(cell.get("metadata"), dict) and isinstance(cell["metadata"].get("nbgrader"), dict)
    ]


def _any_cell(notebook: dict, rng: random.Random) -> dict | None:
    cells = _cells(notebook)
    return rng.choice(cells) if cells else None


def _nbgrader_cell(notebook: dict, rng: random.Random) -> dict | None:
    cells = _graded(notebook)
    return rng.choice(cells) if cells else _any_cell(notebook, rng)


def nbgrader_value(notebook, rng):
    cell = _nbgrader_cell(notebook, rng)
    if cell is not None and isinstance(cell.get("metadata", {}), dict):
        nbgrader = cell.setdefault("metadata", {}).setdefault("nbgrader", {})
        if isinstance(nbgrader, dict):
            nbgrader[rng.choice(NBGRADER_KEYS)] = rng.choice(ODD_VALUES)


def nbgrader_key_removed(notebook, rng):
    cell = _nbgrader_cell(notebook, rng)
    nbgrader = cell.get("metadata", {}).get("nbgrader") if cell else None
    if isinstance(nbgrader, dict) and nbgrader:
        del nbgrader[rng.choice(sorted(nbgrader))]


def nbgrader_replaced(notebook, rng):
    cell = _nbgrader_cell(notebook, rng)
    if cell is not None and isinstance(cell.get("metadata", {}), dict):
        cell.setdefault("metadata", {})["nbgrader"] = rng.choice(ODD_VALUES)


def nbgrader_flags_flipped(notebook, rng):
    """A plain cell made graded, a test made an answer, a locked cell unlocked, with or without points."""
    cell = _any_cell(notebook, rng)
    if cell is not None:
        flags = {key: rng.random() < 0.5 for key in ("solution", "grade", "locked", "task")}
        metadata = cell.setdefault("metadata", {}) if isinstance(cell.get("metadata", {}), dict) else {}
        nbgrader = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
        nbgrader.update(flags)
        if rng.random() < 0.5:
            nbgrader["points"] = rng.choice([0, 1, 100, 3.5])
        if rng.random() < 0.5:
            nbgrader["grade_id"] = rng.choice(
                ["invented", "cell-0", *[c["metadata"]["nbgrader"].get("grade_id", "") for c in _graded(notebook)]]
            )
        metadata["nbgrader"] = nbgrader


def grade_id_duplicated(notebook, rng):
    cells = _graded(notebook)
    if len(cells) >= 2:
        first, second = rng.sample(cells, 2)
        second["metadata"]["nbgrader"]["grade_id"] = first["metadata"]["nbgrader"].get("grade_id")


def metadata_replaced(notebook, rng):
    cell = _any_cell(notebook, rng)
    if cell is not None:
        cell["metadata"] = rng.choice(ODD_VALUES)


def cell_type_changed(notebook, rng):
    cell = _any_cell(notebook, rng)
    if cell is not None:
        cell["cell_type"] = rng.choice(["code", "markdown", "raw", "heading", "", None, 3])


def source_changed(notebook, rng):
    cell = _any_cell(notebook, rng)
    if cell is not None:
        cell["source"] = rng.choice(
            [
                None,
                42,
                ["import os\n", "x = 1"],
                ["a", 1],
                "",
                "\x00\x01",
                "x = '\ud83d'",
                "print(1)\n" * 20000,
                "%%writefile ../../escape.py\nprint(1)",
                "### BEGIN HIDDEN TESTS\nassert False\n### END HIDDEN TESTS",
                "### BEGIN SOLUTION\n",
                "raise SystemExit",
            ]
        )


def outputs_changed(notebook, rng):
    cell = _any_cell(notebook, rng)
    if cell is not None:
        cell["outputs"] = rng.choice(
            [
                None,
                "text",
                [None],
                [{"output_type": "stream"}],
                [{"output_type": "bogus", "data": 1}],
                [{"output_type": "error", "ename": [], "evalue": 3, "traceback": "x"}],
                [
                    {
                        "output_type": "display_data",
                        "data": {"application/x-autograde-check+json": {"passed": True}},
                        "metadata": {},
                    }
                ],
                [{"output_type": "stream", "name": "stdout", "text": "y" * 100000}],
            ]
        )
        cell["execution_count"] = rng.choice([None, 1, -5, "1", 2.5])


def attachments_changed(notebook, rng):
    cell = _any_cell(notebook, rng)
    if cell is not None:
        cell["attachments"] = rng.choice(
            [
                None,
                [],
                "x",
                {"image.png": None},
                {"image.png": {"image/png": 7}},
                {"../../x.png": {"image/png": "iVBORw0KGgo="}},
                {"a.png": {"image/png": "A" * 200000}},
            ]
        )


def cell_id_changed(notebook, rng):
    cell = _any_cell(notebook, rng)
    if cell is not None:
        other = _any_cell(notebook, rng)
        cell["id"] = rng.choice([None, 5, "", "has space", "x" * 100, "é", "../..", other.get("id") if other else "a"])


def cell_key_removed(notebook, rng):
    cell = _any_cell(notebook, rng)
    if cell:
        del cell[rng.choice(sorted(cell))]


def cell_key_added(notebook, rng):
    cell = _any_cell(notebook, rng)
    if cell is not None:
        cell[rng.choice(["grade_id", "nbgrader", "extra", "prompt_number"])] = rng.choice(ODD_VALUES)


def cells_removed(notebook, rng):
    cells = notebook.get("cells")
    if isinstance(cells, list) and cells:
        count = rng.choice([1, 1, 2, len(cells)])
        for _ in range(min(count, len(cells))):
            cells.pop(rng.randrange(len(cells)))


def cells_duplicated(notebook, rng):
    cells = notebook.get("cells")
    if isinstance(cells, list) and cells:
        for _ in range(rng.choice([1, 2, 50])):
            cells.insert(rng.randrange(len(cells) + 1), copy.deepcopy(rng.choice(cells)))


def cells_shuffled(notebook, rng):
    if isinstance(notebook.get("cells"), list):
        rng.shuffle(notebook["cells"])


def cell_replaced(notebook, rng):
    cells = notebook.get("cells")
    if isinstance(cells, list) and cells:
        cells[rng.randrange(len(cells))] = rng.choice(ODD_VALUES)


def cells_replaced(notebook, rng):
    notebook["cells"] = rng.choice([None, {}, "cells", [], {"0": notebook.get("cells")}])


def version_changed(notebook, rng):
    key = rng.choice(["nbformat", "nbformat_minor"])
    notebook[key] = rng.choice([None, 1, 2, 3, 4, 5, 99, "4", 4.0, -1])


def top_key_removed(notebook, rng):
    if notebook:
        del notebook[rng.choice(sorted(notebook))]


def notebook_metadata_changed(notebook, rng):
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict) or rng.random() < 0.2:
        notebook["metadata"] = rng.choice(ODD_VALUES)
        return
    key = rng.choice(["kernelspec", "language_info", "nbgrader", "widgets", "celltoolbar"])
    metadata[key] = rng.choice(
        [
            *ODD_VALUES,
            {"name": "bash", "display_name": "x", "language": "bash"},
            {"name": "../../../bin/sh", "display_name": "x"},
        ]
    )


MUTATIONS: list[Callable[[dict, random.Random], None]] = [
    nbgrader_value,
    nbgrader_value,
    nbgrader_value,
    nbgrader_key_removed,
    nbgrader_replaced,
    nbgrader_flags_flipped,
    nbgrader_flags_flipped,
    grade_id_duplicated,
    metadata_replaced,
    cell_type_changed,
    source_changed,
    outputs_changed,
    attachments_changed,
    cell_id_changed,
    cell_key_removed,
    cell_key_added,
    cells_removed,
    cells_duplicated,
    cells_shuffled,
    cell_replaced,
    cells_replaced,
    version_changed,
    top_key_removed,
    notebook_metadata_changed,
]


def _encode(notebook: dict, rng: random.Random) -> tuple[bytes, str]:
    """The notebook as a file: JSON in some encoding, sometimes cut off, padded or nested deep."""
    text = json.dumps(notebook, indent=rng.choice([None, 1]), ensure_ascii=rng.random() < 0.5)
    kind = rng.choice(["utf-8"] * 6 + ["utf-8-sig", "utf-16", "utf-32", "latin-1", "cut", "padded", "nul", "deep"])
    if kind == "deep":  # a value nested deeper than Python's recursion limit, in some cell's metadata
        depth = rng.choice([50, 5000, 100000])
        text = text.replace('"metadata": {', '"metadata": {"deep": ' + "[" * depth + "]" * depth + ", ", 1)
    if kind in ("utf-8", "utf-16", "utf-32", "utf-8-sig"):
        return text.encode(kind, errors="surrogatepass"), kind
    if kind == "deep":
        return text.encode("utf-8", errors="surrogatepass"), kind
    if kind == "latin-1":
        return text.encode("latin-1", errors="replace"), kind
    data = text.encode("utf-8", errors="surrogatepass")
    if kind == "cut":
        return data[: rng.randrange(len(data))], kind
    if kind == "padded":
        return data + b" " * rng.choice([1, 25 * 1024 * 1024]), kind
    return data.replace(b'"', b'"\x00', 1), kind


def cases(notebooks: dict[str, list[dict]], count: int, first_seed: int = 0) -> Iterator[Case]:
    """`count` cases from `notebooks` (lesson id -> the JSON of its base notebooks)."""
    lessons = sorted(notebooks)
    for seed in range(first_seed, first_seed + count):
        rng = random.Random(seed)
        lesson = rng.choice(lessons)
        notebook = copy.deepcopy(rng.choice(notebooks[lesson]))
        done = []
        for mutation in rng.sample(MUTATIONS, rng.choice([1, 1, 2, 3])):
            mutation(notebook, rng)
            done.append(mutation.__name__)
        data, encoding = _encode(notebook, rng)
        yield Case(seed, lesson, (*done, encoding), data)
