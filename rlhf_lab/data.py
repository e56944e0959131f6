"""Preference dialogues in hh-rlhf's format: rows {"chosen": str, "rejected": str}.

Three sources, one shape: the Hub (`Anthropic/hh-rlhf`, online), local copies (.jsonl / .jsonl.gz
files or folders of them, for offline classrooms), and the data set the project writes itself
("embedded", the offline default).
"""

import gzip
import json
import os
import tempfile
from pathlib import Path

from rlhf_lab.errors import CourseError

EMBEDDED = "embedded"
HUB_DATASET = "Anthropic/hh-rlhf"
DATA_SUFFIXES = (".jsonl", ".jsonl.gz")


def _is_data_file(path: Path) -> bool:
    return path.name.endswith(DATA_SUFFIXES)


def data_files(source: str | Path) -> list[Path]:
    """The data files a path names: itself, or every .jsonl/.jsonl.gz below a folder, sorted."""
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _is_data_file(p))
        if not files:
            raise CourseError(f"no .jsonl or .jsonl.gz files in folder {path}: point to hh-rlhf data files")
        return files
    if not path.exists():
        raise CourseError(
            f"data file {path} does not exist: give a .jsonl/.jsonl.gz file, a folder, '{EMBEDDED}' or '{HUB_DATASET}'"
        )
    if not _is_data_file(path):
        raise CourseError(f"{path} is not a .jsonl or .jsonl.gz file: hh-rlhf rows are one JSON object a line")
    return [path]


def read_jsonl(path: Path) -> list[dict]:
    """Rows of one hh-rlhf file, each checked for string `chosen` and `rejected` fields."""
    opener = gzip.open if path.name.endswith(".gz") else open
    rows = []
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    raise CourseError(
                        f"{path}:{number}: not valid JSON ({err.msg}); each line must be one object"
                    ) from None
                if not (
                    isinstance(row, dict)
                    and isinstance(row.get("chosen"), str)
                    and isinstance(row.get("rejected"), str)
                ):
                    raise CourseError(
                        f"{path}:{number}: a row needs string fields 'chosen' and 'rejected' (hh-rlhf format)"
                    )
                rows.append({"chosen": row["chosen"], "rejected": row["rejected"]})
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise CourseError(f"cannot read {path}: {err}; check that the file is complete and readable") from None
    return rows


def load_hub(split: str = "train") -> list[dict]:
    """The real data set from the Hugging Face Hub (needs the network)."""
    from datasets import load_dataset

    try:
        dataset = load_dataset(HUB_DATASET, split=split)
    except Exception as err:  # datasets raises many types for "offline"; all mean the same to a user
        raise CourseError(
            f"cannot load {HUB_DATASET} from the Hub ({type(err).__name__}); offline, pass "
            f"local .jsonl.gz files or '{EMBEDDED}'"
        ) from None
    return [{"chosen": row["chosen"], "rejected": row["rejected"]} for row in dataset]


def load_dialogues(sources: list[str] | str) -> list[dict]:
    """Rows from every source in order; a source is 'embedded', the Hub id, a file or a folder."""
    if isinstance(sources, (str, Path)):
        sources = [sources]
    rows = []
    for source in sources:
        if source == EMBEDDED:
            from rlhf_lab.embedded import training_dialogues

            rows += training_dialogues()
        elif source == HUB_DATASET:
            rows += load_hub()
        else:
            for path in data_files(source):
                rows += read_jsonl(path)
    if not rows:
        raise CourseError(f"no rows in {sources}: the data files are empty")
    return rows


def write_jsonl(rows: list[dict], path: str | Path) -> Path:
    """Write rows atomically: a crash mid-write leaves any earlier file at `path` intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as out:
        out.write(payload)
    os.replace(tmp, path)
    return path
