"""The hidden-test cases of lesson 06_rlhf_loop (their format: tests/test_hidden_tests.py's docstring)."""

from hidden_answers import right, wrong

# Solution texts that several cases replace.
LOO_BODY = (
    "    grouped = rewards.reshape(-1, k)\n"
    "    baselines = (grouped.sum(dim=1, keepdim=True) - grouped) / (k - 1)\n"
    "    return (grouped - baselines).reshape(rewards.shape)\n"
)
SURROGATE_RATIO = "    ratio = torch.exp(logprobs - old_logprobs.detach())\n"
SURROGATE_OBJECTIVE = (
    "    objective = torch.min(ratio * advantages, "
    "torch.clamp(ratio, 1 - clip_epsilon, 1 + clip_epsilon) * advantages)\n"
)
SURROGATE_RETURN = "    return -(objective * mask).sum() / mask.sum()\n"
K1_RETURN = "    return ((policy_logprobs - ref_logprobs) * mask.to(policy_logprobs.dtype)).sum(dim=1)\n"
K3_LOG_RATIO = "    log_ratio = ref_logprobs - policy_logprobs\n"
K3_RETURN = "    return ((torch.exp(log_ratio) - 1 - log_ratio) * mask.to(policy_logprobs.dtype)).sum(dim=1)\n"

FULLY_GRADED = "leave_one_out_baseline_includes_itself"  # the wrong answer graded through the whole grading path

WRONG_ANSWERS = {
    # leave_one_out_advantages: the others of the same prompt (rows next to each other), dtype kept.
    "leave_one_out_baseline_includes_itself": wrong(
        "leave_one_out_advantages",
        [
            (
                LOO_BODY,
                LOO_BODY.replace(
                    "(grouped.sum(dim=1, keepdim=True) - grouped) / (k - 1)", "grouped.mean(dim=1, keepdim=True)"
                ),
            )
        ],
        "the mean of the other answers of its own prompt",
    ),
    "leave_one_out_global_baseline": wrong(
        "leave_one_out_advantages",
        [(LOO_BODY, "    return rewards - (rewards.sum() - rewards) / (rewards.shape[0] - 1)\n")],
        "of its own prompt",
    ),
    "leave_one_out_interleaved_groups": wrong(
        "leave_one_out_advantages",
        [
            (
                LOO_BODY,
                "    grouped = rewards.reshape(k, -1)\n"
                "    baselines = (grouped.sum(dim=0, keepdim=True) - grouped) / (k - 1)\n"
                "    return (grouped - baselines).reshape(rewards.shape)\n",
            )
        ],
        "two prompts (rows 0-2 and 3-5)",
    ),
    "leave_one_out_in_float32": wrong(
        "leave_one_out_advantages",
        [("    grouped = rewards.reshape(-1, k)\n", "    grouped = rewards.float().reshape(-1, k)\n")],
        "float64 rewards (do not cast them to float32)",
    ),
    # clipped_surrogate_loss: min, the ratio clipped, exp of the log-probability difference, answer tokens only,
    # old log-probabilities and advantages detached, dtype kept.
    "surrogate_max_instead_of_min": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_OBJECTIVE, SURROGATE_OBJECTIVE.replace("torch.min(", "torch.max("))],
        "min(rho A, clip(rho, 0.8, 1.2) A)",
    ),
    "surrogate_clips_the_advantage": wrong(
        "clipped_surrogate_loss",
        [
            (
                SURROGATE_OBJECTIVE,
                "    clipped = torch.clamp(advantages, 1 - clip_epsilon, 1 + clip_epsilon)\n"
                "    objective = torch.min(ratio * advantages, ratio * clipped)\n",
            )
        ],
        "clip(rho, 0.8, 1.2) A",
    ),
    "surrogate_ratio_of_logprobs": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = logprobs / old_logprobs.detach()\n")],
        "ratios exp(logprobs - old_logprobs)",
    ),
    "surrogate_padding_not_masked": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RETURN, "    return -objective.mean()\n")],
        "the third column is padding",
    ),
    "surrogate_mean_over_all_positions": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RETURN, "    return -(objective * mask).sum() / mask.numel()\n")],
        "the mean over the 4 answer tokens",
    ),
    "surrogate_old_logprobs_not_detached": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = torch.exp(logprobs - old_logprobs)\n")],
        "no gradient may reach old_logprobs (detach it)",
    ),
    "surrogate_advantages_not_detached": wrong(
        "clipped_surrogate_loss",
        [("    advantages = advantages.detach().unsqueeze(1)\n", "    advantages = advantages.unsqueeze(1)\n")],
        "no gradient may reach the advantages (detach them)",
    ),
    "surrogate_in_float32": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = torch.exp(logprobs.float() - old_logprobs.detach().float())\n")],
        "float64 log-probabilities (do not cast them to float32)",
    ),
    # kl_estimate_k1 and kl_estimate_k3 (one answer cell): the sign, r = pi_ref / pi, k3 not k2, answer tokens summed.
    "k1_sign_reversed": wrong(
        "kl_estimate_k1",
        [(K1_RETURN, K1_RETURN.replace("(policy_logprobs - ref_logprobs)", "(ref_logprobs - policy_logprobs)"))],
        "(log pi - log pi_ref): the sign matters",
    ),
    "k1_not_masked": wrong(
        "kl_estimate_k1",
        [(K1_RETURN, "    return (policy_logprobs - ref_logprobs).sum(dim=1)\n")],
        "the padding column is masked",
    ),
    "k1_mean_instead_of_sum": wrong(
        "kl_estimate_k1",
        [(K1_RETURN, K1_RETURN.replace(".sum(dim=1)", ".mean(dim=1)"))],
        "k1 = the sum over answer tokens",
    ),
    "k1_in_float32": wrong(
        "kl_estimate_k1",
        [(K1_RETURN, "    return ((policy_logprobs.float() - ref_logprobs.float()) * mask).sum(dim=1)\n")],
        "float64 inputs keep their precision",
    ),
    "k3_ratio_pi_over_pi_ref": wrong(
        "kl_estimate_k1",
        [(K3_LOG_RATIO, "    log_ratio = policy_logprobs - ref_logprobs\n")],
        "r = pi_ref / pi",
        test="kl_estimate_k3_tests",
    ),
    "k3_is_k2": wrong(
        "kl_estimate_k1",
        [(K3_RETURN, "    return (0.5 * log_ratio**2 * mask.to(policy_logprobs.dtype)).sum(dim=1)\n")],
        "k3 = sum of (r - 1) - log r",
        test="kl_estimate_k3_tests",
    ),
    "k3_not_masked": wrong(
        "kl_estimate_k1",
        [(K3_RETURN, "    return (torch.exp(log_ratio) - 1 - log_ratio).sum(dim=1)\n")],
        "the padding column is masked",
        test="kl_estimate_k3_tests",
    ),
    "k3_in_float32": wrong(
        "kl_estimate_k1",
        [(K3_LOG_RATIO, "    log_ratio = (ref_logprobs - policy_logprobs).float()\n")],
        "float64 inputs keep their precision",
        test="kl_estimate_k3_tests",
    ),
}

RIGHT_ANSWERS = {
    "leave_one_out_loops": right(
        "leave_one_out_advantages",
        [
            (
                LOO_BODY,
                "    advantages = torch.empty_like(rewards)\n"
                "    for start in range(0, len(rewards), k):\n"
                "        group = rewards[start : start + k]\n"
                "        for i in range(k):\n"
                "            others = torch.cat([group[:i], group[i + 1 :]])\n"
                "            advantages[start + i] = group[i] - others.mean()\n"
                "    return advantages\n",
            )
        ],
    ),
    "leave_one_out_scaled_deviation": right(
        "leave_one_out_advantages",
        [
            (
                LOO_BODY,
                "    grouped = rewards.view(-1, k)\n"
                "    return (k / (k - 1) * (grouped - grouped.mean(dim=1, keepdim=True))).flatten()\n",
            )
        ],
    ),
    "surrogate_where_probabilities_masked_select": right(
        "clipped_surrogate_loss",
        [
            (
                SURROGATE_RATIO
                + "    advantages = advantages.detach().unsqueeze(1)\n"
                + SURROGATE_OBJECTIVE
                + "    mask = mask.to(objective.dtype)\n"
                + SURROGATE_RETURN,
                "    ratio = torch.exp(logprobs) / torch.exp(old_logprobs).detach()\n"
                "    a = advantages.detach()[:, None]\n"
                "    clipped = ratio.clamp(1 - clip_epsilon, 1 + clip_epsilon)\n"
                "    objective = torch.where(ratio * a < clipped * a, ratio * a, clipped * a)\n"
                "    return -objective[mask.bool()].mean()\n",
            )
        ],
    ),
    "surrogate_maximum_of_losses_sum_over_count": right(
        "clipped_surrogate_loss",
        [
            (
                SURROGATE_OBJECTIVE + "    mask = mask.to(objective.dtype)\n" + SURROGATE_RETURN,
                "    clipped = torch.clamp(ratio, 1 - clip_epsilon, 1 + clip_epsilon)\n"
                "    losses = torch.maximum(-ratio * advantages, -clipped * advantages)\n"
                "    return (losses * mask).sum() / mask.count_nonzero()\n",
            )
        ],
    ),
    "k1_where_sums": right(
        "kl_estimate_k1",
        [
            (
                K1_RETURN,
                "    answer = mask.bool()\n"
                "    policy_sum = torch.where(answer, policy_logprobs, 0).sum(dim=1)\n"
                "    return policy_sum - torch.where(answer, ref_logprobs, 0).sum(dim=1)\n",
            )
        ],
    ),
    "k3_expm1": right(
        "kl_estimate_k1",
        [
            (
                K3_RETURN,
                K3_RETURN.replace("(torch.exp(log_ratio) - 1 - log_ratio)", "(torch.expm1(log_ratio) - log_ratio)"),
            )
        ],
        test="kl_estimate_k3_tests",
    ),
    "k3_rho_minus_log_rho": right(
        "kl_estimate_k1",
        [
            (
                K3_LOG_RATIO + K3_RETURN,
                "    rho = torch.exp(ref_logprobs) / torch.exp(policy_logprobs)\n"
                "    return ((rho - torch.log(rho) - 1) * mask).sum(dim=1)\n",
            )
        ],
        test="kl_estimate_k3_tests",
    ),
}
