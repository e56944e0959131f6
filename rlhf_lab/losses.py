"""The objectives of the course, each a few lines of torch: the reference code the lessons grade against.

Shapes: B = batch, T = sequence length, V = vocabulary, K = ranked answers per prompt.
"""

import itertools

import torch
import torch.nn.functional as F


def bradley_terry_loss(ranked_rewards: torch.Tensor) -> torch.Tensor:
    """Reward-model loss over all K-choose-2 pairs of K answers ranked best first.

    ranked_rewards: (B, K) scores r(x, y_1) ... r(x, y_K), with y_1 preferred to y_2 and so on.
    L = -1/C(K,2) * sum_{i<j} log sigmoid(r_i - r_j), averaged over the batch.
    """
    if ranked_rewards.dim() != 2 or ranked_rewards.shape[1] < 2:
        raise ValueError(f"ranked_rewards must be (batch, K) with K >= 2, got {tuple(ranked_rewards.shape)}")
    winners, losers = zip(*itertools.combinations(range(ranked_rewards.shape[1]), 2))
    margins = ranked_rewards[:, list(winners)] - ranked_rewards[:, list(losers)]
    return -F.logsigmoid(margins).mean()


def kl_penalized_reward(
    reward_score: torch.Tensor, policy_logprob: torch.Tensor, sft_logprob: torch.Tensor, beta: float
) -> torch.Tensor:
    """RLHF's reward R(x, y) = r(x, y) - beta * log(pi_RL(y|x) / pi_SFT(y|x)), per sequence.

    All inputs are (B,); log-probabilities are of the whole answer y.
    """
    return reward_score - beta * (policy_logprob - sft_logprob)


def per_token_rewards(
    reward_score: torch.Tensor,
    policy_token_logprobs: torch.Tensor,
    sft_token_logprobs: torch.Tensor,
    mask: torch.Tensor,
    beta: float,
) -> torch.Tensor:
    """The same reward spread over tokens, as PPO implementations use it.

    Every answer token pays the KL penalty -beta * (log pi_RL - log pi_SFT); the last answer token also
    receives the reward model's score. Token inputs are (B, T), mask marks answer tokens with 1.
    Summed over T this equals `kl_penalized_reward` of the summed log-probabilities.
    """
    mask = mask.to(policy_token_logprobs.dtype)
    rewards = -beta * (policy_token_logprobs - sft_token_logprobs) * mask
    positions = torch.arange(mask.shape[1], device=mask.device)
    last = (positions * mask).argmax(dim=1)
    rewards[torch.arange(mask.shape[0]), last] += reward_score
    return rewards


def completion_logprobs(logits: torch.Tensor, input_ids: torch.Tensor, completion_mask: torch.Tensor) -> torch.Tensor:
    """Summed log pi(y|x) over completion tokens only: the prompt and the padding are masked out.

    logits: (B, T, V) from a causal LM on input_ids (B, T); completion_mask (B, T) is 1 on completion
    tokens. The logits at position t predict token t+1, hence the shift by one.
    """
    logprobs = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    token_logprobs = torch.gather(logprobs, 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return (token_logprobs * completion_mask[:, 1:]).sum(dim=1)


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    ref_chosen: torch.Tensor,
    ref_rejected: torch.Tensor,
    beta: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """DPO's loss from the four summed log-probabilities (each (B,)).

    The implicit reward of an answer is r_hat = beta * log(pi_theta / pi_ref); the loss is
    -log sigmoid(r_hat_w - r_hat_l), averaged over the batch. Returns (loss, r_hat_w, r_hat_l); the
    rewards are detached because they are for reporting, not for the gradient.
    """
    chosen_rewards = beta * (policy_chosen - ref_chosen)
    rejected_rewards = beta * (policy_rejected - ref_rejected)
    loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()
    return loss, chosen_rewards.detach(), rejected_rewards.detach()


def reward_accuracy(chosen_rewards: torch.Tensor, rejected_rewards: torch.Tensor) -> float:
    """Share of pairs whose chosen answer gets the higher implicit reward."""
    return (chosen_rewards > rejected_rewards).float().mean().item()


def reward_margin(chosen_rewards: torch.Tensor, rejected_rewards: torch.Tensor) -> float:
    """Mean gap between the chosen and rejected implicit rewards."""
    return (chosen_rewards - rejected_rewards).mean().item()
