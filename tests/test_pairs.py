from pathlib import Path

import pytest

from rlhf_lab.data import load_dialogues
from rlhf_lab.errors import CourseError
from rlhf_lab.pairs import (
    EXPLAIN_PREFIX,
    build_pairs,
    extract_conversation,
    fits_length,
    format_prompt,
    is_single_turn,
    make_pair,
)
from rlhf_lab.tokenizer import load_tokenizer

REAL_ROWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "hh-rlhf"
EOS = "<|endoftext|>"


def dialogue(*turns):
    return "".join(f"\n\nHuman: {h}\n\nAssistant: {a}" for h, a in turns)


def test_single_turn_means_fewer_than_two_humans_on_both_sides():
    one, two = dialogue(("q", "a")), dialogue(("q", "a"), ("q2", "a2"))
    assert is_single_turn({"chosen": one, "rejected": one})
    assert not is_single_turn({"chosen": two, "rejected": one})
    assert not is_single_turn({"chosen": one, "rejected": two})


def test_extraction_strips_roles_and_whitespace():
    assert extract_conversation(dialogue(("  What is AI? ", " A field.  "))) == ("What is AI?", "A field.")
    assert extract_conversation("\n\nHuman: no answer here") == ("", "")


def test_pair_format_is_the_textbooks():
    pair = make_pair("What is AI?", "A field.", EOS)
    assert pair == {
        "prompt": "### Question: What is AI?\n### Answer: ",
        "chosen": "Let me explain. A field.<|endoftext|>",
        "rejected": "A field.<|endoftext|>",
    }


def test_each_rule_removes_what_it_should():
    tokenizer = load_tokenizer()
    long_answer = "word " * 600
    rows = [
        {"chosen": dialogue(("Q1", "Fine answer.")), "rejected": dialogue(("Q1", "Bad."))},
        {"chosen": dialogue(("Q2", "a"), ("again", "b")), "rejected": dialogue(("Q2", "c"))},  # multi-turn
        {"chosen": dialogue(("   ", "Answer to nothing.")), "rejected": dialogue(("x", "y"))},  # empty question
        {"chosen": dialogue(("Q3", "LET ME EXPLAIN. Already.")), "rejected": dialogue(("Q3", "n"))},
        {"chosen": dialogue(("Q4", long_answer)), "rejected": dialogue(("Q4", "n"))},  # too long
    ]
    pairs, counts = build_pairs(rows, tokenizer)
    assert counts == {
        "rows": 5,
        "single_turn": 4,
        "question_and_answer": 3,
        "not_already_explaining": 2,
        "within_length": 1,
    }
    assert pairs == [make_pair("Q1", "Fine answer.", EOS)]


def test_length_limits_are_inclusive():
    tokenizer = load_tokenizer()
    pair = make_pair("Q", "A.", EOS)
    prompt_len, chosen_len = (len(tokenizer(pair[key])["input_ids"]) for key in ("prompt", "chosen"))
    assert fits_length(pair, tokenizer, max_prompt_tokens=prompt_len, max_total_tokens=prompt_len + chosen_len)
    assert not fits_length(pair, tokenizer, max_prompt_tokens=prompt_len - 1)
    assert not fits_length(pair, tokenizer, max_total_tokens=prompt_len + chosen_len - 1)


def test_no_pairs_left_is_an_error():
    with pytest.raises(CourseError, match="no preference pairs"):
        build_pairs([{"chosen": dialogue(("a", "b"), ("c", "d")), "rejected": ""}], load_tokenizer())


@pytest.mark.skipif(not REAL_ROWS.exists(), reason="the real hh-rlhf sample is not beside the repo")
def test_real_hh_rlhf_rows_follow_the_rules():
    tokenizer = load_tokenizer()
    rows = load_dialogues(str(REAL_ROWS))
    pairs, counts = build_pairs(rows, tokenizer)
    assert counts["rows"] == 2312
    assert counts["single_turn"] == sum(
        r["chosen"].count("Human: ") < 2 and r["rejected"].count("Human: ") < 2 for r in rows
    )
    for pair in pairs:
        assert pair["prompt"].startswith("### Question: ") and pair["prompt"].endswith("\n### Answer: ")
        assert pair["chosen"] == EXPLAIN_PREFIX + pair["rejected"] and pair["rejected"].endswith(EOS)
        assert not pair["rejected"].lower().startswith("let me explain")
        assert fits_length(pair, tokenizer)


def question_of_prompt_length(tokenizer, tokens: int) -> str:
    """A question whose textbook prompt is exactly `tokens` tokens long (" a" is one GPT-2 token)."""
    base = len(tokenizer(format_prompt("a"))["input_ids"])
    question = "a" + " a" * (tokens - base)
    assert len(tokenizer(format_prompt(question))["input_ids"]) == tokens
    return question


def test_default_limits_are_the_textbooks_256_and_512():
    """The textbook keeps a pair when its prompt has at most 256 tokens and prompt + chosen at most 512."""
    tokenizer = load_tokenizer()
    for prompt_tokens, fits in ((256, True), (257, False)):
        pair = make_pair(question_of_prompt_length(tokenizer, prompt_tokens), "A.", EOS)
        assert fits_length(pair, tokenizer) is fits, prompt_tokens
    question = question_of_prompt_length(tokenizer, 200)
    for total, fits in ((512, True), (513, False)):
        answer = "b" + " b" * (total - 200 - len(tokenizer(EXPLAIN_PREFIX + "b" + EOS)["input_ids"]))
        pair = make_pair(question, answer, EOS)
        assert len(tokenizer(pair["prompt"])["input_ids"]) + len(tokenizer(pair["chosen"])["input_ids"]) == total
        assert fits_length(pair, tokenizer) is fits, total
