"""Reward hacking and the KL penalty, computed exactly in a small discrete world.

One prompt, N candidate answers y. Each answer has a true quality q(y) (what people would say) and a
proxy reward r(y) (what a learned reward model says). On ordinary answers r is q plus a small error;
on a few degenerate "hack" answers, which the reward model never saw in training, r is far too high.
The reference (SFT) policy pi_ref rarely produces the hacks.

RLHF maximises E_pi[r] - beta * KL(pi || pi_ref). Its maximiser has a closed form (lesson 3 derives it):

    pi*(y) = pi_ref(y) * exp(r(y) / beta) / Z,    Z = sum_y pi_ref(y) * exp(r(y) / beta),

so with N answers every expectation is an exact sum: no sampling and no training are needed.
Shapes: N = number of answers; tensors are float64 so that tiny probabilities survive.
"""

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class World:
    """N answers to one prompt; every field is (N,)."""

    quality: torch.Tensor  # true quality q(y), in [0, 1]
    reward: torch.Tensor  # the reward model's score r(y)
    ref_probs: torch.Tensor  # pi_ref(y): sums to 1
    is_hack: torch.Tensor  # bool: the answers the reward model misjudges


def hacking_world(
    n_answers: int = 40,
    n_hacks: int = 4,
    hack_reward: float = 1.5,
    hack_ref_mass: float = 1e-5,
    reward_noise: float = 0.1,
    seed: int = 0,
) -> World:
    """A fixed world: ordinary answers first, then `n_hacks` hack answers at the end.

    Ordinary answers: quality uniform in [0, 1], reward = quality + N(0, reward_noise^2) (a good but
    imperfect reward model), and reference log-probabilities drawn at random (the SFT model is fluent,
    not especially good). Hacks: quality 0 (e.g. an answer that repeats "Great question!" forever),
    reward `hack_reward`, above every ordinary answer, and together only `hack_ref_mass` of pi_ref.
    """
    generator = torch.Generator().manual_seed(seed)
    n_normal = n_answers - n_hacks
    quality = torch.rand(n_normal, generator=generator, dtype=torch.float64)
    reward = quality + reward_noise * torch.randn(n_normal, generator=generator, dtype=torch.float64)
    ref_normal = torch.softmax(torch.randn(n_normal, generator=generator, dtype=torch.float64), dim=0)

    def hacks(value: float) -> torch.Tensor:
        return torch.full((n_hacks,), value, dtype=torch.float64)

    return World(
        quality=torch.cat([quality, hacks(0.0)]),
        reward=torch.cat([reward, hacks(hack_reward)]),
        ref_probs=torch.cat([(1 - hack_ref_mass) * ref_normal, hacks(hack_ref_mass / n_hacks)]),
        is_hack=torch.cat([torch.zeros(n_normal, dtype=torch.bool), torch.ones(n_hacks, dtype=torch.bool)]),
    )


def kl_optimal_policy(ref_probs: torch.Tensor, rewards: torch.Tensor, beta: float) -> torch.Tensor:
    """pi*(y) proportional to pi_ref(y) * exp(r(y) / beta), normalised over the last dimension.

    Written as a softmax of log pi_ref + r / beta: softmax subtracts the maximum before exponentiating,
    so r / beta = 1e5 does not overflow the way exp(r / beta) would.
    """
    return torch.softmax(torch.log(ref_probs) + rewards / beta, dim=-1)


def kl_divergence(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """KL(p || q) = sum_y p(y) * (log p(y) - log q(y)) over the last dimension.

    Terms with p(y) = 0 contribute 0 (the limit of p log p); torch.xlogy(x, y) = x * log(y) is exactly
    0 when x = 0, even where log(y) is -inf.
    """
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)


def regularized_objective(policy: torch.Tensor, world: World, beta: float) -> torch.Tensor:
    """What RLHF maximises: E_pi[r] - beta * KL(pi || pi_ref), i.e. E_pi[R] with the KL-penalised reward R."""
    return (policy * world.reward).sum(dim=-1) - beta * kl_divergence(policy, world.ref_probs)


def sweep_beta(world: World, betas: torch.Tensor) -> dict[str, torch.Tensor]:
    """For each beta, the optimal policy's E[q], E[r], KL(pi* || pi_ref) and probability of a hack.

    Returns a dict of (len(betas),) tensors: beta, true_quality, proxy_reward, kl, hack_prob.
    """
    betas = torch.as_tensor(betas, dtype=torch.float64)
    # One row per beta: (len(betas), N) policies, broadcast against the (N,) world.
    policies = kl_optimal_policy(world.ref_probs, world.reward, betas.unsqueeze(1))
    return {
        "beta": betas,
        "true_quality": (policies * world.quality).sum(dim=1),
        "proxy_reward": (policies * world.reward).sum(dim=1),
        "kl": kl_divergence(policies, world.ref_probs),
        "hack_prob": policies[:, world.is_hack].sum(dim=1),
    }
