"""The hidden-test cases of lesson 02_ppo_kl (their format: tests/test_hidden_tests.py's docstring)."""

from hidden_answers import right, wrong

# Solution texts that several cases replace.
KL_REWARD_RETURN = "    return reward_score - beta * (policy_logprob - sft_logprob)\n"
PER_TOKEN_BODY = (
    "    mask = mask.to(policy_token_logprobs.dtype)\n"
    "    rewards = -beta * (policy_token_logprobs - sft_token_logprobs) * mask\n"
    "    positions = torch.arange(mask.shape[1], device=mask.device)\n"
    "    last = (positions * mask).argmax(dim=1)\n"
    "    rewards[torch.arange(mask.shape[0]), last] += reward_score\n"
    "    return rewards\n"
)
KL_DIVERGENCE_RETURN = "    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)\n"

FULLY_GRADED = "kl_optimal_policy_overflows"  # the wrong answer graded through the whole grading path

WRONG_ANSWERS = {
    # An instruction of each exercise text not followed.
    "per_token_rewards_in_place": wrong(
        "per_token_rewards",
        [
            (
                "    rewards = -beta * (policy_token_logprobs - sft_token_logprobs) * mask\n",
                "    rewards = policy_token_logprobs\n    rewards -= sft_token_logprobs\n    rewards *= -beta * mask\n",
            )
        ],
        "must not chan",
        test="per_token_rewards_tests_inputs",
    ),
    "kl_optimal_policy_overflows": wrong(
        "kl_optimal_policy",
        [
            (
                "return torch.softmax(torch.log(ref_probs) + rewards / beta, dim=-1)",
                "weights = ref_probs * torch.exp(rewards / beta)\n"
                "    return weights / weights.sum(dim=-1, keepdim=True)",
            )
        ],
        "no overflow to nan",
    ),
    # kl_penalized_reward: r - beta * (log pi_RL - log pi_SFT), differentiable.
    "kl_penalized_reward_ratio_of_logprobs": wrong(
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return reward_score - beta * (policy_logprob / sft_logprob)\n")],
        "R = r - 0.1 * (log pi_RL - log pi_SFT)",
    ),
    "kl_penalized_reward_without_beta": wrong(
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return reward_score - (policy_logprob - sft_logprob)\n")],
        "R = r - 0.1 * (log pi_RL - log pi_SFT)",
    ),
    "kl_penalized_reward_sign_flipped": wrong(
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return reward_score + beta * (policy_logprob - sft_logprob)\n")],
        "R = r - 0.1 * (log pi_RL - log pi_SFT)",
    ),
    "kl_penalized_reward_detached": wrong(
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return (reward_score - beta * (policy_logprob - sft_logprob)).detach()\n")],
        "the gradient of R should reach policy_logprob",
    ),
    # per_token_rewards: the penalty on answer tokens only, the score on each row's last answer token.
    "per_token_rewards_score_on_last_position": wrong(
        "per_token_rewards",
        [("    rewards[torch.arange(mask.shape[0]), last] += reward_score\n", "    rewards[:, -1] += reward_score\n")],
        "KL penalty on tokens 0-2, score 2 added on token 2, padding 0",
        test="per_token_rewards_tests_values",
    ),
    "per_token_rewards_score_at_mask_sum": wrong(
        "per_token_rewards",
        [("    last = (positions * mask).argmax(dim=1)\n", "    last = mask.sum(dim=1).long() - 1\n")],
        "prompt and padding masked, score on each row's last answer token",
        test="per_token_rewards_tests_values",
    ),
    "per_token_rewards_penalty_everywhere": wrong(
        "per_token_rewards",
        [
            (
                " * (policy_token_logprobs - sft_token_logprobs) * mask\n",
                " * (policy_token_logprobs - sft_token_logprobs)\n",
            )
        ],
        "KL penalty on tokens 0-2, score 2 added on token 2, padding 0",
        test="per_token_rewards_tests_values",
    ),
    # kl_divergence: p log p - p log q over the last dimension, 0 where p = 0.
    "kl_divergence_nan_where_p_is_zero": wrong(
        "kl_divergence",
        [(KL_DIVERGENCE_RETURN, "    return (p * torch.log(p / q)).sum(dim=-1)\n")],
        "terms with p = 0 count as 0, not nan",
    ),
    "kl_divergence_reversed": wrong(
        "kl_divergence",
        [(KL_DIVERGENCE_RETURN, "    return (torch.xlogy(q, q) - torch.xlogy(q, p)).sum(dim=-1)\n")],
        "KL((1/2, 1/2) || (1/4, 3/4))",
    ),
    "kl_divergence_over_the_first_dimension": wrong(
        "kl_divergence",
        [(KL_DIVERGENCE_RETURN, "    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=0)\n")],
        "a batch of two pairs (one KL per row, summed over the last dimension)",
    ),
    # kl_optimal_policy: pi_ref * exp(r / beta), normalised over the last dimension, without overflow.
    "kl_optimal_policy_rewards_times_beta": wrong(
        "kl_optimal_policy",
        [("rewards / beta, dim=-1)", "rewards * beta, dim=-1)")],
        "pi_ref = (0.8, 0.2), r = (0, log 3), beta = 0.5",
    ),
    "kl_optimal_policy_without_reference": wrong(
        "kl_optimal_policy",
        [("torch.softmax(torch.log(ref_probs) + rewards / beta, dim=-1)", "torch.softmax(rewards / beta, dim=-1)")],
        "pi_ref = (0.8, 0.2), r = (0, log 3), beta = 0.5",
    ),
    "kl_optimal_policy_over_the_first_dimension": wrong(
        "kl_optimal_policy",
        [("rewards / beta, dim=-1)", "rewards / beta, dim=0)")],
        "row sums, beta 0.05",
    ),
}

RIGHT_ANSWERS = {
    "kl_divergence_in_float32": right(
        "kl_divergence",
        [
            (
                "return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)",
                "return (torch.xlogy(p.float(), p.float()) - torch.xlogy(p.float(), q.float())).sum(dim=-1)",
            )
        ],
    ),
    "kl_penalized_reward_rearranged": right(
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return reward_score + beta * (sft_logprob - policy_logprob)\n")],
    ),
    "per_token_rewards_loop": right(
        "per_token_rewards",
        [
            (
                PER_TOKEN_BODY,
                "    rewards = torch.zeros_like(policy_token_logprobs)\n"
                "    for b in range(mask.shape[0]):\n"
                "        answer = mask[b].nonzero().flatten().tolist()\n"
                "        for t in answer:\n"
                "            rewards[b, t] = -beta * (policy_token_logprobs[b, t] - sft_token_logprobs[b, t])\n"
                "        rewards[b, answer[-1]] += reward_score[b]\n"
                "    return rewards\n",
            )
        ],
        test="per_token_rewards_tests_values",
    ),
    "per_token_rewards_where_and_one_hot": right(
        "per_token_rewards",
        [
            (
                PER_TOKEN_BODY,
                "    answer = mask.bool()\n"
                "    rewards = torch.where(answer, -beta * (policy_token_logprobs - sft_token_logprobs), 0.0)\n"
                "    last = mask.shape[1] - 1 - answer.flip(1).float().argmax(dim=1)\n"
                "    return rewards + F.one_hot(last, mask.shape[1]) * reward_score.unsqueeze(1)\n",
            )
        ],
        test="per_token_rewards_tests_inputs",
    ),
    "kl_divergence_with_kl_div": right(
        "kl_divergence",
        [(KL_DIVERGENCE_RETURN, '    return F.kl_div(torch.log(q), p, reduction="none").sum(dim=-1)\n')],
    ),
    "kl_optimal_policy_max_subtracted": right(
        "kl_optimal_policy",
        [
            (
                "    return torch.softmax(torch.log(ref_probs) + rewards / beta, dim=-1)\n",
                "    logits = torch.log(ref_probs) + rewards / beta\n"
                "    weights = torch.exp(logits - logits.max(dim=-1, keepdim=True).values)\n"
                "    return weights / weights.sum(dim=-1, keepdim=True)\n",
            )
        ],
    ),
}
