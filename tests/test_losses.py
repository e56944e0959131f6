import math

import pytest
import torch
from conftest import FLOAT32_RTOL

from rlhf_lab.losses import (
    bradley_terry_loss,
    completion_logprobs,
    dpo_loss,
    kl_penalized_reward,
    per_token_rewards,
    reward_accuracy,
    reward_margin,
)


def test_bradley_terry_k2_is_minus_logsigmoid_of_the_margin():
    rewards = torch.tensor([[2.0, 0.5]])
    assert math.isclose(bradley_terry_loss(rewards).item(), -math.log(1 / (1 + math.exp(-1.5))), rel_tol=FLOAT32_RTOL)


def test_bradley_terry_averages_over_all_k_choose_2_pairs():
    rewards = torch.tensor([[3.0, 1.0, 0.0]])
    pairs = [(3.0, 1.0), (3.0, 0.0), (1.0, 0.0)]
    expected = sum(math.log(1 + math.exp(-(won - lost))) for won, lost in pairs) / 3
    assert math.isclose(bradley_terry_loss(rewards).item(), expected, rel_tol=FLOAT32_RTOL)


def test_per_token_rewards_sum_to_the_sequence_reward():
    torch.manual_seed(0)
    policy, sft = torch.randn(3, 6), torch.randn(3, 6)
    mask = torch.tensor([[0, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1]])
    score = torch.tensor([1.0, -2.0, 0.5])
    tokens = per_token_rewards(score, policy, sft, mask, beta=0.1)
    sequence = kl_penalized_reward(score, (policy * mask).sum(1), (sft * mask).sum(1), beta=0.1)
    assert torch.allclose(tokens.sum(1), sequence, atol=1e-6)
    assert tokens[0, 3] != 0 and tokens[0, 4] == 0  # the score lands on the last answer token


def test_completion_logprobs_by_hand():
    logits = torch.log(torch.tensor([[[0.5, 0.5], [0.1, 0.9], [0.3, 0.7]]]))  # uniform-ish tiny vocab
    input_ids = torch.tensor([[0, 1, 0]])
    mask = torch.tensor([[0, 1, 1]])  # tokens 1 and 2 are the completion
    expected = math.log(0.5) + math.log(0.1)  # p(token1=1 | pos0), p(token2=0 | pos1)
    assert math.isclose(completion_logprobs(logits, input_ids, mask).item(), expected, rel_tol=FLOAT32_RTOL)


def test_dpo_loss_and_its_reports():
    loss, chosen, rejected = dpo_loss(
        torch.tensor([-1.0, -2.0]),
        torch.tensor([-3.0, -1.0]),
        torch.tensor([-2.0, -2.0]),
        torch.tensor([-2.0, -2.0]),
        beta=0.5,
    )
    margins = [0.5 * 1 - 0.5 * -1, 0.5 * 0 - 0.5 * 1]
    assert math.isclose(loss.item(), sum(math.log(1 + math.exp(-m)) for m in margins) / 2, rel_tol=FLOAT32_RTOL)
    assert reward_accuracy(chosen, rejected) == 0.5
    assert math.isclose(reward_margin(chosen, rejected), sum(margins) / 2, rel_tol=FLOAT32_RTOL)


@pytest.mark.parametrize("shape", [(3,), (2, 1), (2, 2, 2)])
def test_bradley_terry_refuses_anything_but_batch_by_k_of_at_least_2(shape):
    with pytest.raises(ValueError, match="batch, K"):
        bradley_terry_loss(torch.zeros(shape))


def test_the_score_lands_on_the_last_answer_token_only():
    """With beta = 0 the KL part vanishes and only the reward model's score is left, at one position."""
    mask = torch.tensor([[0, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1], [1, 0, 0, 0, 0, 0]])
    score = torch.tensor([1.0, -2.0, 0.5, 3.0])
    tokens = per_token_rewards(score, torch.randn(4, 6), torch.randn(4, 6), mask, beta=0.0)
    expected = torch.zeros(4, 6)
    expected[0, 3], expected[1, 5], expected[2, 5], expected[3, 0] = score
    torch.testing.assert_close(tokens, expected, atol=0, rtol=0)


def test_a_tie_is_not_an_accurate_pair():
    chosen, rejected = torch.tensor([1.0, 2.0, 0.5, -1.0]), torch.tensor([1.0, 1.0, 0.5, 0.0])
    assert reward_accuracy(chosen, rejected) == 0.25  # only the second pair is strictly ahead
