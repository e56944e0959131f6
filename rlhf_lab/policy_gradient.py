"""The policy-gradient pieces of RLHF: leave-one-out advantages, PPO's clipped surrogate, KL estimators.

Shapes: P = prompts, k = answers sampled per prompt, B = P * k rows (each prompt's k answers next to
each other, as TRL lays them out), T = answer positions.

RLOO (REINFORCE leave-one-out, Ahmadian et al. 2024) needs no value network: the baseline of an answer
is the mean reward of the other k - 1 answers to the same prompt, which does not depend on the answer
itself, so subtracting it leaves the gradient unbiased and only lowers its variance. PPO's clipped
surrogate lets one batch of samples drive a few optimizer steps without the policy running away from
the policy that sampled them.
"""

import torch


def leave_one_out_advantages(rewards: torch.Tensor, k: int) -> torch.Tensor:
    """A_i = R_i - mean of the other k - 1 rewards of the same prompt: (B,) -> (B,), B = P * k.

    Rows i*k .. i*k + k - 1 are prompt i's answers. The mean of the others is (sum - R_i) / (k - 1).
    """
    if k < 2 or rewards.shape[0] % k:
        raise ValueError(
            f"need k >= 2 answers per prompt and a multiple of k rows, got k={k} and {rewards.shape[0]} rows"
        )
    grouped = rewards.reshape(-1, k)
    baselines = (grouped.sum(dim=1, keepdim=True) - grouped) / (k - 1)
    return (grouped - baselines).reshape(rewards.shape)


def clipped_surrogate_loss(
    logprobs: torch.Tensor,
    old_logprobs: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip_epsilon: float = 0.2,
) -> torch.Tensor:
    """PPO's loss -mean(min(rho * A, clip(rho, 1 - eps, 1 + eps) * A)), rho = pi_theta / pi_old.

    logprobs, old_logprobs, mask: (B, T), log-probabilities of the sampled tokens under the policy being
    trained and under the policy that sampled them; mask is 1 on answer tokens (prompt and padding 0).
    advantages: (B,), one per answer, shared by its tokens. The mean runs over answer tokens only.
    Passing whole-answer log-probabilities as (B, 1) with a mask of ones gives the sequence-level ratio
    that TRL's RLOOTrainer uses. No gradient reaches old_logprobs or advantages: they are data.
    """
    ratio = torch.exp(logprobs - old_logprobs.detach())
    advantages = advantages.detach().unsqueeze(1)
    objective = torch.min(ratio * advantages, torch.clamp(ratio, 1 - clip_epsilon, 1 + clip_epsilon) * advantages)
    mask = mask.to(objective.dtype)
    return -(objective * mask).sum() / mask.sum()


def kl_estimate_k1(policy_logprobs: torch.Tensor, ref_logprobs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """k1 = log pi(y_t) - log pi_ref(y_t), summed over answer tokens: (B, T) -> (B,).

    For answers sampled from pi its mean is KL(pi || pi_ref) of the whole answer; single samples can be
    negative. It is the penalty that per_token_rewards charges.
    """
    return ((policy_logprobs - ref_logprobs) * mask.to(policy_logprobs.dtype)).sum(dim=1)


def kl_estimate_k3(policy_logprobs: torch.Tensor, ref_logprobs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """k3 = (w - 1) - log w with w = pi_ref(y_t) / pi(y_t), summed over answer tokens: (B, T) -> (B,).

    Each term is >= 0 (log x <= x - 1) and has the same mean as k1 under pi, with lower variance when
    the two policies are close (Schulman, "Approximating KL divergence", 2020).
    """
    log_ratio = ref_logprobs - policy_logprobs
    return ((torch.exp(log_ratio) - 1 - log_ratio) * mask.to(policy_logprobs.dtype)).sum(dim=1)
