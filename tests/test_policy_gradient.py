"""Leave-one-out advantages, PPO's clipped surrogate and the k1/k3 KL estimators (hand-computed cases)."""

import math

import pytest
import torch

from rlhf_lab.policy_gradient import clipped_surrogate_loss, kl_estimate_k1, kl_estimate_k3, leave_one_out_advantages


def test_leave_one_out_uses_the_other_answers_of_the_same_prompt():
    # Prompt 0: rewards 1, 2, 6 -> baselines 4, 3.5, 1.5. Prompt 1: 0, 0, 3 -> baselines 1.5, 1.5, 0.
    advantages = leave_one_out_advantages(torch.tensor([1.0, 2.0, 6.0, 0.0, 0.0, 3.0]), k=3)
    torch.testing.assert_close(advantages, torch.tensor([-3.0, -1.5, 4.5, -1.5, -1.5, 3.0]))


def test_leave_one_out_sums_to_zero_per_prompt_and_is_shift_invariant():
    rewards = torch.randn(20, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    advantages = leave_one_out_advantages(rewards, k=4)
    torch.testing.assert_close(advantages.reshape(5, 4).sum(dim=1), torch.zeros(5, dtype=torch.float64))
    torch.testing.assert_close(leave_one_out_advantages(rewards + 7.0, k=4), advantages)
    assert advantages.dtype == torch.float64


@pytest.mark.parametrize("k, rows", [(1, 4), (3, 4)])
def test_leave_one_out_rejects_bad_groups(k, rows):
    with pytest.raises(ValueError, match="k >= 2"):
        leave_one_out_advantages(torch.zeros(rows), k)


def test_clipped_surrogate_by_hand():
    # Token ratios e^0.5 = 1.65 (clipped to 1.2 for A > 0), e^-0.5 = 0.61 (clipped to 0.8 for A < 0: min keeps 0.8 * A).
    logprobs = torch.tensor([[0.5, 0.0, 9.0], [-0.5, 0.0, 9.0]], requires_grad=True)
    old = torch.zeros(2, 3)
    mask = torch.tensor([[1, 1, 0], [1, 1, 0]])  # the third column is padding
    loss = clipped_surrogate_loss(logprobs, old, torch.tensor([2.0, -1.0]), mask, clip_epsilon=0.2)
    expected = -(1.2 * 2.0 + 1.0 * 2.0 + 0.8 * -1.0 + 1.0 * -1.0) / 4
    torch.testing.assert_close(loss, torch.tensor(expected))
    loss.backward()
    # Clipped tokens get no gradient; unclipped ones -A * ratio / (answer tokens); padding none.
    torch.testing.assert_close(logprobs.grad, torch.tensor([[0.0, -0.5, 0.0], [0.0, 0.25, 0.0]]))


def test_clipped_surrogate_keeps_the_pessimistic_side_when_the_ratio_moves_the_wrong_way():
    # A > 0 with a ratio below 1 - eps: min takes the unclipped ratio * A, so the gradient pushes back up.
    logprobs = torch.tensor([[math.log(0.5)]], requires_grad=True)
    loss = clipped_surrogate_loss(logprobs, torch.zeros(1, 1), torch.tensor([1.0]), torch.ones(1, 1))
    torch.testing.assert_close(loss, torch.tensor(-0.5))
    loss.backward()
    torch.testing.assert_close(logprobs.grad, torch.tensor([[-0.5]]))


def test_no_gradient_reaches_old_logprobs_or_advantages():
    logprobs = torch.randn(3, 4, requires_grad=True)
    old = torch.randn(3, 4, requires_grad=True)
    advantages = torch.randn(3, requires_grad=True)
    clipped_surrogate_loss(logprobs, old, advantages, torch.ones(3, 4)).backward()
    assert old.grad is None and advantages.grad is None and logprobs.grad is not None


def test_kl_estimators_by_hand_and_masked():
    policy = torch.tensor([[math.log(0.5), math.log(0.25), -3.0]])
    ref = torch.tensor([[math.log(0.25), math.log(0.5), 5.0]])
    mask = torch.tensor([[1, 1, 0]])
    # k1: log 2 + log(1/2) = 0; k3: (1/2 - 1 - log 1/2) + (2 - 1 - log 2)
    torch.testing.assert_close(kl_estimate_k1(policy, ref, mask), torch.tensor([0.0]))
    torch.testing.assert_close(kl_estimate_k3(policy, ref, mask), torch.tensor([0.5]), atol=1e-6, rtol=0)


def test_kl_estimators_agree_with_the_exact_kl_in_expectation():
    generator = torch.Generator().manual_seed(1)
    p = torch.softmax(torch.randn(6, generator=generator, dtype=torch.float64), dim=0)
    q = torch.softmax(torch.randn(6, generator=generator, dtype=torch.float64), dim=0)
    exact = (p * (p / q).log()).sum()
    samples = torch.multinomial(p, 200_000, replacement=True, generator=generator)
    policy, ref = p.log()[samples].unsqueeze(1), q.log()[samples].unsqueeze(1)
    ones = torch.ones_like(policy)
    k1, k3 = kl_estimate_k1(policy, ref, ones), kl_estimate_k3(policy, ref, ones)
    assert abs(k1.mean() - exact) < 4 * k1.std() / math.sqrt(len(k1))
    assert abs(k3.mean() - exact) < 4 * k3.std() / math.sqrt(len(k3))
    assert k3.min() >= 0 and k1.min() < 0


def test_two_answers_per_prompt_are_enough():
    """k = 2, the smallest group: each answer's baseline is the other one."""
    torch.testing.assert_close(leave_one_out_advantages(torch.tensor([1.0, 3.0]), k=2), torch.tensor([-2.0, 2.0]))


def test_the_default_clip_is_ppos_0_2():
    logprobs, old, mask = torch.tensor([[0.5, -0.5]]), torch.zeros(1, 2), torch.ones(1, 2)
    advantages = torch.tensor([2.0])
    torch.testing.assert_close(
        clipped_surrogate_loss(logprobs, old, advantages, mask),
        torch.tensor(-(1.2 * 2.0 + torch.exp(torch.tensor(-0.5)).item() * 2.0) / 2),
    )
