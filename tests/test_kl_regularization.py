"""The exact reward-hacking world of lesson 2: closed-form policy, KL, and the beta sweep's limits."""

import dataclasses
import math

import pytest
import torch
from conftest import (
    FLOAT64_ATOL,
    FOUR_DECIMALS_ATOL,
    SIX_DECIMALS_ATOL,
    WORLD_BEST_ORDINARY_REWARD,
    WORLD_QUALITY_AT_BETA_0_1,
    WORLD_REFERENCE_QUALITY,
)

from rlhf_lab.kl_regularization import (
    hacking_world,
    kl_divergence,
    kl_optimal_policy,
    regularized_objective,
    sweep_beta,
)

F64 = torch.float64


def test_kl_optimal_policy_hand_values():
    # pi_ref = (1/2, 1/2), r = (0, ln 3), beta = 1: weights 1/2 * 1 and 1/2 * 3 -> (1/4, 3/4).
    policy = kl_optimal_policy(torch.tensor([0.5, 0.5], dtype=F64), torch.tensor([0.0, math.log(3)], dtype=F64), 1.0)
    torch.testing.assert_close(policy, torch.tensor([0.25, 0.75], dtype=F64), atol=FLOAT64_ATOL, rtol=0)
    # beta = 2 halves the exponent: weights 1 and sqrt(3).
    policy = kl_optimal_policy(torch.tensor([0.5, 0.5], dtype=F64), torch.tensor([0.0, math.log(3)], dtype=F64), 2.0)
    expected = torch.tensor([1.0, math.sqrt(3)], dtype=F64) / (1 + math.sqrt(3))
    torch.testing.assert_close(policy, expected, atol=FLOAT64_ATOL, rtol=0)


def test_kl_optimal_policy_is_stable_for_huge_reward_over_beta():
    policy = kl_optimal_policy(torch.tensor([0.7, 0.2, 0.1]), torch.tensor([1000.0, 999.0, 0.0]), 1e-3)
    assert torch.isfinite(policy).all()
    torch.testing.assert_close(policy, torch.tensor([1.0, 0.0, 0.0]), atol=1e-6, rtol=0)


def test_kl_optimal_policy_gives_no_mass_where_reference_has_none():
    policy = kl_optimal_policy(torch.tensor([0.0, 1.0], dtype=F64), torch.tensor([50.0, 0.0], dtype=F64), 0.1)
    torch.testing.assert_close(policy, torch.tensor([0.0, 1.0], dtype=F64), atol=0, rtol=0)


def test_kl_divergence_hand_values():
    p = torch.tensor([0.5, 0.5], dtype=F64)
    q = torch.tensor([0.25, 0.75], dtype=F64)
    expected = 0.5 * math.log(2) + 0.5 * math.log(2 / 3)  # 0.1438410362...
    assert abs(kl_divergence(p, q).item() - expected) < FLOAT64_ATOL
    assert abs(kl_divergence(p, p).item()) < 1e-15
    # 0 * log 0 counts as 0: a point mass at y against uniform over 4 answers is log 4.
    point = torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=F64)
    assert abs(kl_divergence(point, torch.full((4,), 0.25, dtype=F64)).item() - math.log(4)) < FLOAT64_ATOL


def test_kl_divergence_batches_over_the_last_dimension():
    p = torch.tensor([[0.5, 0.5], [1.0, 0.0]], dtype=F64)
    q = torch.tensor([0.25, 0.75], dtype=F64)
    torch.testing.assert_close(
        kl_divergence(p, q), torch.tensor([0.1438410362258904, math.log(4)], dtype=F64), atol=FLOAT64_ATOL, rtol=0
    )


def test_world_is_a_distribution_with_rare_overrated_hacks():
    world = hacking_world()
    assert world.quality.shape == world.reward.shape == world.ref_probs.shape == world.is_hack.shape == (40,)
    assert abs(world.ref_probs.sum().item() - 1) < FLOAT64_ATOL
    assert abs(world.ref_probs[world.is_hack].sum().item() - 1e-5) < 1e-15
    assert world.is_hack.sum().item() == 4
    # The hacks are worthless but the reward model ranks them above every ordinary answer.
    assert (world.quality[world.is_hack] == 0).all()
    assert world.reward[world.is_hack].min() > world.reward[~world.is_hack].max()
    # Stored values for the default seed (torch's CPU generator is deterministic).
    assert abs((world.ref_probs * world.quality).sum().item() - WORLD_REFERENCE_QUALITY) < SIX_DECIMALS_ATOL
    assert abs(world.reward[~world.is_hack].max().item() - WORLD_BEST_ORDINARY_REWARD) < SIX_DECIMALS_ATOL


def test_optimal_policy_beats_other_policies_on_the_regularized_objective():
    world, beta = hacking_world(), 0.1
    best = kl_optimal_policy(world.ref_probs, world.reward, beta)
    # Its value is beta * log Z, the log-partition function.
    log_z = torch.logsumexp(torch.log(world.ref_probs) + world.reward / beta, dim=0)
    assert abs(regularized_objective(best, world, beta).item() - beta * log_z.item()) < 1e-10
    greedy = torch.nn.functional.one_hot(world.reward.argmax(), 40).to(F64)
    for other in (world.ref_probs, greedy, 0.5 * (best + world.ref_probs)):
        assert regularized_objective(other, world, beta) < regularized_objective(best, world, beta)


def test_sweep_limits_small_beta_hacks_large_beta_stays_at_reference():
    world = hacking_world()
    sweep = sweep_beta(world, torch.tensor([1e-3, 0.1, 1e3]))
    tiny, mid, huge = (dict((key, values[i].item()) for key, values in sweep.items()) for i in range(3))
    # Tiny beta: all mass on the hacks (uniform over them, equal rewards), so KL = log(1 / 1e-5).
    assert tiny["hack_prob"] > 1 - 1e-9
    assert abs(tiny["true_quality"]) < 1e-9
    assert abs(tiny["proxy_reward"] - 1.5) < 1e-9
    assert abs(tiny["kl"] - math.log(1e5)) < 1e-6
    # Huge beta: the reference policy itself.
    assert huge["kl"] < 1e-6
    assert abs(huge["true_quality"] - WORLD_REFERENCE_QUALITY) < 1e-4  # beta 1e3 is near, not at, the reference
    # In between the true quality is far better than either end.
    assert abs(mid["true_quality"] - WORLD_QUALITY_AT_BETA_0_1) < FOUR_DECIMALS_ATOL
    assert mid["kl"] < tiny["kl"] and mid["kl"] > huge["kl"]


def test_sweep_kl_falls_and_proxy_reward_falls_as_beta_grows():
    sweep = sweep_beta(hacking_world(), torch.logspace(-3, 2, 41))
    assert (sweep["kl"].diff() <= 1e-12).all()
    assert (sweep["proxy_reward"].diff() <= 1e-12).all()


def test_sweep_reports_the_betas_it_was_given():
    betas = torch.tensor([0.01, 0.1, 1.0], dtype=F64)
    sweep = sweep_beta(hacking_world(), betas)
    torch.testing.assert_close(sweep["beta"], betas, atol=0, rtol=0)
    assert set(sweep) == {"beta", "true_quality", "proxy_reward", "kl", "hack_prob"}


def test_a_world_cannot_be_changed_after_it_is_made():
    """Lesson 2 runs several sweeps over one world: a frozen dataclass keeps a sweep from altering it."""
    world = hacking_world()
    with pytest.raises(dataclasses.FrozenInstanceError):
        world.reward = torch.zeros(40, dtype=F64)
