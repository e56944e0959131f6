import gzip
import hashlib
import json
import tomllib
from collections import Counter
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pytest
from conftest import EMBEDDED_DATA_SHA256

from rlhf_lab.data import EMBEDDED, load_dialogues, write_jsonl
from rlhf_lab.embedded import (
    FOLLOW_UPS,
    SFT_COPIES,
    SFT_OPENERS,
    TEMPLATES,
    TOPICS,
    heldout_questions,
    load_topics,
    sft_conversations,
    training_dialogues,
)
from rlhf_lab.errors import CourseError
from rlhf_lab.pairs import build_pairs, is_single_turn
from rlhf_lab.tokenizer import load_tokenizer

ROOT = Path(__file__).resolve().parents[1]
ROW = {"chosen": "\n\nHuman: Hi?\n\nAssistant: Hello.", "rejected": "\n\nHuman: Hi?\n\nAssistant: Go away."}


def test_jsonl_gz_and_folders_load_in_order(tmp_path):
    write_jsonl([ROW], tmp_path / "a.jsonl")
    write_jsonl([ROW, ROW], tmp_path / "sub" / "b.jsonl.gz")
    assert len(load_dialogues(str(tmp_path / "sub" / "b.jsonl.gz"))) == 2
    assert len(load_dialogues(str(tmp_path))) == 3
    assert gzip.decompress((tmp_path / "sub" / "b.jsonl.gz").read_bytes()).count(b"\n") == 2


def test_extra_fields_are_dropped(tmp_path):
    (tmp_path / "x.jsonl").write_text(json.dumps({**ROW, "score": 3}) + "\n")
    assert load_dialogues(str(tmp_path / "x.jsonl")) == [ROW]


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"chosen": "x"}\n', "needs string fields 'chosen' and 'rejected'"),
        ("not json\n", "not valid JSON"),
        ("", "no rows"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, content, message):
    (tmp_path / "bad.jsonl").write_text(content)
    with pytest.raises(CourseError, match=message) as err:
        load_dialogues(str(tmp_path / "bad.jsonl"))
    assert "\n" not in str(err.value)


def test_missing_inputs_say_what_to_give(tmp_path):
    with pytest.raises(CourseError, match="does not exist"):
        load_dialogues(str(tmp_path / "nope.jsonl"))
    with pytest.raises(CourseError, match="no .jsonl"):
        load_dialogues(str(tmp_path))
    (tmp_path / "rows.csv").write_text("a,b\n")
    with pytest.raises(CourseError, match="not a .jsonl"):
        load_dialogues(str(tmp_path / "rows.csv"))


def test_truncated_gzip_is_reported(tmp_path):
    path = write_jsonl([ROW] * 50, tmp_path / "rows.jsonl.gz")
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(CourseError, match="cannot read"):
        load_dialogues(str(path))


def test_write_is_atomic_and_keeps_old_file_on_failure(tmp_path):
    target = write_jsonl([ROW], tmp_path / "out.jsonl")
    with pytest.raises(TypeError):
        write_jsonl([{"chosen": object()}], target)
    assert load_dialogues(str(target)) == [ROW]
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_embedded_data_is_hh_rlhf_shaped_and_mostly_single_turn():
    rows = load_dialogues(EMBEDDED)
    assert len(rows) >= 1000
    assert all(r["chosen"].startswith("\n\nHuman: ") and r["rejected"].startswith("\n\nHuman: ") for r in rows)
    single = sum(map(is_single_turn, rows))
    assert 0.7 * len(rows) <= single < len(rows), "mostly single-turn, with multi-turn rows for the filter"
    assert rows == training_dialogues(), "deterministic"


def test_heldout_questions_never_appear_in_training():
    text = "\n".join(r["chosen"] + r["rejected"] for r in training_dialogues())
    questions = heldout_questions()
    assert len(questions) >= 50 and len(set(questions)) == len(questions)
    assert not [q for q in questions if q in text]


def test_sft_conversations_draw_the_opener_per_copy():
    conversations = sft_conversations()
    questions = Counter(question for question, _ in conversations)
    assert set(questions.values()) == {SFT_COPIES}, "every training question, SFT_COPIES times"
    assert not set(questions) & set(heldout_questions())
    share = {
        opener: sum(answer.startswith(opener) for _, answer in conversations) / len(conversations)
        for opener, _ in SFT_OPENERS
        if opener
    }
    for opener, weight in SFT_OPENERS:
        if opener:
            assert abs(share[opener] - weight) < 0.02, (opener, share[opener], weight)
    # Fresh draws: most questions get more than one opener, so none is tied to its question.
    openers_per_question = {q: {a.split()[0] for qq, a in conversations if qq == q} for q in list(questions)[:100]}
    assert sum(len(o) > 1 for o in openers_per_question.values()) >= 90


def test_preference_answers_are_plain_with_a_few_already_explaining():
    _, counts = build_pairs(load_dialogues(EMBEDDED), load_tokenizer())
    already = counts["question_and_answer"] - counts["not_already_explaining"]
    assert 0.02 * counts["question_and_answer"] < already < 0.1 * counts["question_and_answer"]


def test_packaged_topics_pass_the_loaders_checks():
    topics_file = resources.files("rlhf_lab").joinpath("embedded_data", "topics.jsonl")
    topics, follow_ups = load_topics(topics_file.read_text(encoding="utf-8").splitlines())
    assert topics == TOPICS and follow_ups == FOLLOW_UPS
    subjects = [subject for _, _, subject, _ in TOPICS]
    assert set(FOLLOW_UPS) <= set(subjects) and len(set(subjects)) == len(subjects)
    assert {kind for _, kind, _, _ in TOPICS} == set(TEMPLATES)


def topic_line(**changes) -> str:
    row = {"area": "science", "kind": "what", "subject": "an atom", "answer": "The smallest unit.", "follow_up": None}
    return json.dumps({**row, **changes})


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([topic_line(), topic_line(answer="Again.")], "appears twice"),
        ([topic_line(kind="why")], "kind 'why'"),
        ([topic_line(answer="")], "non-empty strings"),
        ([json.dumps({"area": "science", "kind": "what", "subject": "x", "answer": "y"})], "non-empty strings"),
        ([topic_line(follow_up={"question": "Why?"})], "follow_up is null or"),
    ],
    ids=["duplicate subject", "unknown kind", "empty answer", "no follow_up field", "follow_up without answer"],
)
def test_topic_loader_names_the_bad_line(lines, error):
    with pytest.raises(ValueError, match=error):
        load_topics(lines)


def test_data_files_are_declared_as_package_data():
    """A wheel holds only the files pyproject.toml's package-data names: every data file must match."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["rlhf_lab"]
    package = ROOT / "rlhf_lab"
    data = {p.relative_to(package).as_posix() for p in (package / "embedded_data").iterdir()}
    assert data and all(any(fnmatch(name, pattern) for pattern in patterns) for name in data), (data, patterns)


def test_embedded_data_is_the_one_the_figures_were_measured_on():
    """The cached reference model, the README's and the lessons' figures were made on this data: a change
    must be deliberate (and then EMBEDDED_DATA_SHA256 updated, the figures re-measured)."""
    expanded = json.dumps([training_dialogues(), sft_conversations(), heldout_questions()])
    assert hashlib.sha256(expanded.encode()).hexdigest()[:16] == EMBEDDED_DATA_SHA256
