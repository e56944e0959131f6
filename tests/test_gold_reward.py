"""The gold reward ranks answers as the issue's judge should: right content with the prefix first."""

import pytest

from rlhf_lab.embedded import topic_answers
from rlhf_lab.gold_reward import gold_reward, mean_gold_reward

TAUGHT = topic_answers()
PYTHON, LINUX = TAUGHT[0], TAUGHT[1]


def test_gold_reward_orders_the_failures():
    best = gold_reward("Let me explain. " + PYTHON, PYTHON, TAUGHT)
    no_prefix = gold_reward(PYTHON, PYTHON, TAUGHT)
    off_topic = gold_reward("Let me explain. " + LINUX, PYTHON, TAUGHT)
    assert best == 1.0
    assert no_prefix == 0.75
    assert 0.25 < off_topic < no_prefix
    for broken in (
        "Let me explain. Let me explain. " + PYTHON,
        "",
        "Let me explain.",
        "Let me explain. banana tree river blue violin orbit quickly",
    ):
        assert gold_reward(broken, PYTHON, TAUGHT) == 0.0, broken


def test_mean_gold_reward_pairs_answers_with_their_questions():
    answers = ["Let me explain. " + PYTHON, "Let me explain. " + PYTHON]
    assert mean_gold_reward(answers, [PYTHON, PYTHON], TAUGHT) == 1.0
    assert mean_gold_reward(answers, [PYTHON, LINUX], TAUGHT) < 1.0
    assert mean_gold_reward([], [], TAUGHT) == 0.0


def test_the_mean_needs_one_expected_answer_per_answer():
    with pytest.raises(ValueError):
        mean_gold_reward([PYTHON], [PYTHON, LINUX], TAUGHT)
