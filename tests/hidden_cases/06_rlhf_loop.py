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
        test="leave_one_out_advantages_tests_values",
    ),
    "leave_one_out_global_baseline": wrong(
        "leave_one_out_advantages",
        [(LOO_BODY, "    return rewards - (rewards.sum() - rewards) / (rewards.shape[0] - 1)\n")],
        "of its own prompt",
        test="leave_one_out_advantages_tests_values",
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
        test="leave_one_out_advantages_tests_values",
    ),
    "leave_one_out_in_float32": wrong(
        "leave_one_out_advantages",
        [("    grouped = rewards.reshape(-1, k)\n", "    grouped = rewards.float().reshape(-1, k)\n")],
        "leave_one_out_advantages returned torch.float32 for float64 rewards",
        test="leave_one_out_advantages_tests_dtype",
    ),
    "leave_one_out_in_place": wrong(
        "leave_one_out_advantages",
        [
            (
                LOO_BODY,
                "    grouped = rewards.view(-1, k)\n"
                "    grouped -= (grouped.sum(dim=1, keepdim=True) - grouped) / (k - 1)\n"
                "    return rewards\n",
            )
        ],
        "leave_one_out_advantages must not change its input",
        test="leave_one_out_advantages_tests_values",
    ),
    "leave_one_out_float32_then_back": wrong(
        "leave_one_out_advantages",
        [
            (
                LOO_BODY,
                LOO_BODY.replace("rewards.reshape(-1, k)", "rewards.float().reshape(-1, k)").replace(
                    ".reshape(rewards.shape)", ".reshape(rewards.shape).to(rewards.dtype)"
                ),
            )
        ],
        "a step in float32 loses them",
        test="leave_one_out_advantages_tests_dtype",
    ),
    # clipped_surrogate_loss: min, the ratio clipped, exp of the log-probability difference, answer tokens only,
    # old log-probabilities and advantages detached, dtype kept.
    "surrogate_max_instead_of_min": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_OBJECTIVE, SURROGATE_OBJECTIVE.replace("torch.min(", "torch.max("))],
        "min(rho A, clip(rho, 0.8, 1.2) A)",
        test="clipped_surrogate_loss_tests_values",
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
        test="clipped_surrogate_loss_tests_values",
    ),
    "surrogate_ratio_of_logprobs": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = logprobs / old_logprobs.detach()\n")],
        "ratios exp(logprobs - old_logprobs)",
        test="clipped_surrogate_loss_tests_values",
    ),
    "surrogate_padding_not_masked": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RETURN, "    return -objective.mean()\n")],
        "the rest padding",
        test="clipped_surrogate_loss_tests_values",
    ),
    "surrogate_mean_over_all_positions": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RETURN, "    return -(objective * mask).sum() / mask.numel()\n")],
        "the mean over the batch's 4 answer tokens",
        test="clipped_surrogate_loss_tests_values",
    ),
    "surrogate_old_logprobs_not_detached": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = torch.exp(logprobs - old_logprobs)\n")],
        "a gradient reached old_logprobs: detach them",
        test="clipped_surrogate_loss_tests_gradient",
    ),
    "surrogate_advantages_not_detached": wrong(
        "clipped_surrogate_loss",
        [("    advantages = advantages.detach().unsqueeze(1)\n", "    advantages = advantages.unsqueeze(1)\n")],
        "a gradient reached the advantages: detach them",
        test="clipped_surrogate_loss_tests_gradient",
    ),
    "surrogate_in_float32": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = torch.exp(logprobs.float() - old_logprobs.detach().float())\n")],
        "a step in float32 loses the difference",
        test="clipped_surrogate_loss_tests_dtype",
    ),
    "surrogate_mean_per_answer": wrong(
        "clipped_surrogate_loss",
        [(SURROGATE_RETURN, "    return -((objective * mask).sum(dim=1) / mask.sum(dim=1)).mean()\n")],
        "a mean per answer, then over the answers, would give",
        test="clipped_surrogate_loss_tests_values",
    ),
    # kl_estimate_k1 and kl_estimate_k3 (one answer cell): the sign, r = pi_ref / pi, k3 not k2, answer tokens summed.
    "k1_sign_reversed": wrong(
        "kl_estimate_k1",
        [(K1_RETURN, K1_RETURN.replace("(policy_logprobs - ref_logprobs)", "(ref_logprobs - policy_logprobs)"))],
        "k1 = the sum over answer tokens of log pi - log pi_ref",
        test="kl_estimate_k1_tests_values",
    ),
    "k1_not_masked": wrong(
        "kl_estimate_k1",
        [(K1_RETURN, "    return (policy_logprobs - ref_logprobs).sum(dim=1)\n")],
        "row 0's padding column is masked",
        test="kl_estimate_k1_tests_values",
    ),
    "k1_mean_instead_of_sum": wrong(
        "kl_estimate_k1",
        [(K1_RETURN, K1_RETURN.replace(".sum(dim=1)", ".mean(dim=1)"))],
        "k1 = the sum over answer tokens",
        test="kl_estimate_k1_tests_values",
    ),
    "k1_in_float32": wrong(
        "kl_estimate_k1",
        [(K1_RETURN, "    return ((policy_logprobs.float() - ref_logprobs.float()) * mask).sum(dim=1)\n")],
        "kl_estimate_k1 returned torch.float32 for float64 inputs",
        test="kl_estimate_k1_tests_dtype",
    ),
    "k3_ratio_pi_over_pi_ref": wrong(
        "kl_estimate_k1",
        [(K3_LOG_RATIO, "    log_ratio = policy_logprobs - ref_logprobs\n")],
        "with w = pi_ref / pi",
        test="kl_estimate_k3_tests_values",
    ),
    "k3_is_k2": wrong(
        "kl_estimate_k1",
        [(K3_RETURN, "    return (0.5 * log_ratio**2 * mask.to(policy_logprobs.dtype)).sum(dim=1)\n")],
        "k3 = the sum over answer tokens of (w - 1) - log w",
        test="kl_estimate_k3_tests_values",
    ),
    "k3_not_masked": wrong(
        "kl_estimate_k1",
        [(K3_RETURN, "    return (torch.exp(log_ratio) - 1 - log_ratio).sum(dim=1)\n")],
        "row 0's padding column is masked",
        test="kl_estimate_k3_tests_values",
    ),
    "k3_in_float32": wrong(
        "kl_estimate_k1",
        [(K3_LOG_RATIO, "    log_ratio = (ref_logprobs - policy_logprobs).float()\n")],
        "k3 for the float64 log-probabilities 1e-5 and 0",
        test="kl_estimate_k3_tests_dtype",
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
        test="leave_one_out_advantages_tests_values",
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
        test="leave_one_out_advantages_tests_dtype",
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
        test="clipped_surrogate_loss_tests_values",
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
        test="clipped_surrogate_loss_tests_gradient",
    ),
    "surrogate_sign_split": right(
        "clipped_surrogate_loss",
        [
            (
                SURROGATE_RATIO
                + "    advantages = advantages.detach().unsqueeze(1)\n"
                + SURROGATE_OBJECTIVE
                + "    mask = mask.to(objective.dtype)\n"
                + SURROGATE_RETURN,
                "    ratio = torch.exp(logprobs - old_logprobs.detach())\n"
                "    a = advantages.detach()[:, None]\n"
                "    upper, lower = 1 + clip_epsilon, 1 - clip_epsilon\n"
                "    bounded = torch.where(a >= 0, ratio.clamp(max=upper), ratio.clamp(min=lower))\n"
                "    return -(bounded * a * mask).sum() / mask.sum()\n",
            )
        ],
        test="clipped_surrogate_loss_tests_dtype",
    ),
    "k1_einsum": right(
        "kl_estimate_k1",
        [
            (
                K1_RETURN,
                '    return torch.einsum("bt,bt->b", policy_logprobs - ref_logprobs, mask.to(policy_logprobs.dtype))\n',
            )
        ],
        test="kl_estimate_k1_tests_dtype",
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
        test="kl_estimate_k1_tests_values",
    ),
    "k3_expm1": right(
        "kl_estimate_k1",
        [
            (
                K3_RETURN,
                K3_RETURN.replace("(torch.exp(log_ratio) - 1 - log_ratio)", "(torch.expm1(log_ratio) - log_ratio)"),
            )
        ],
        test="kl_estimate_k3_tests_dtype",
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
        test="kl_estimate_k3_tests_values",
    ),
}
