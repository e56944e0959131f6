"""The before/after measures: what counts as the target prefix, a degenerate answer, an on-topic one."""

import pytest

from rlhf_lab.evaluation import compare, content, explain_rate, is_degenerate, on_topic_rate

TAUGHT = ["RAM is the short-term memory of a computer.", "Binary is a number system that uses only the digits 0 and 1."]


def test_prefix_is_matched_at_the_start_only_and_removed_for_content():
    assert explain_rate(
        ["Let me explain. RAM is memory.", "let me explain: yes", "Sure. Let me explain."]
    ) == pytest.approx(2 / 3)
    assert content("Let me explain. RAM is the short-term memory.") == "RAM is the short-term memory."
    assert content("Sure. RAM is memory.") == "Sure. RAM is memory."


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "Let me explain.",
        "Let me explain. Let me explain. RAM is",
        "Let me explain. A me explain. RAM is memory.",
        "short short short short short",
        "RAM is RAM is RAM is RAM is",
    ],
)
def test_structurally_broken_answers_are_degenerate(answer):
    assert is_degenerate(answer)


def test_word_salad_is_degenerate_only_against_taught_answers():
    salad = "Let me explain. An interest is the interest earned on an list of money and the same as 2, 3."
    assert not is_degenerate(salad)  # no loop, no repeated prefix: only the taught answers expose it
    assert is_degenerate(salad, TAUGHT)
    assert not is_degenerate("Let me explain. RAM is the short-term memory of a computer.", TAUGHT)
    assert not is_degenerate("Sure. Binary is a number system that uses only the digits 0 and 1.", TAUGHT)


def test_on_topic_needs_the_questions_own_answer():
    answers = [
        "Let me explain. RAM is the short-term memory of a computer.",  # right
        "Binary is a number system that uses only the digits 0 and 1.",
    ]  # fluent, wrong topic
    assert on_topic_rate(answers, [TAUGHT[0], TAUGHT[0]]) == 0.5
    before = [content(answer) for answer in answers]
    metrics = compare(["q1", "q2"], before, answers, expected_answers=[TAUGHT[0], TAUGHT[0]], taught_answers=TAUGHT)
    assert metrics["rate_before"] == 0.0 and metrics["rate_after"] == 0.5
    assert metrics["on_topic_before"] == metrics["on_topic_after"] == 0.5
    assert metrics["degenerate_before"] == metrics["degenerate_after"] == 0.0
    assert "on_topic_after" not in compare(["q"], ["a b c"], ["a b c"])
