"""The hidden-test cases of lesson 01_reward_models (their format: tests/test_hidden_tests.py's docstring)."""

from hidden_answers import right, wrong

# Solution texts that several cases replace.
LAST_TOKEN_POSITIONS = (
    "    positions = torch.arange(attention_mask.shape[1], device=attention_mask.device)\n"
    "    last = (positions * attention_mask).argmax(dim=1)\n"
)
LAST_TOKEN_RETURN = "    return hidden[torch.arange(hidden.shape[0], device=hidden.device), last]\n"
MEAN_POOL_MASK = "    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)\n"
MEAN_POOL_RETURN = "    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)\n"
BT_BODY = (
    "    winners, losers = zip(*itertools.combinations(range(ranked_rewards.shape[1]), 2))\n"
    "    margins = ranked_rewards[:, list(winners)] - ranked_rewards[:, list(losers)]\n"
    "    return -F.logsigmoid(margins).mean()\n"
)

FULLY_GRADED = "bradley_terry_loss_detached"  # the wrong answer graded through the whole grading path

WRONG_ANSWERS = {
    # The test's explanation reaches the student although their code raises first (item 6 of issue 12).
    "bradley_terry_loss_detached": wrong(
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return -F.logsigmoid(margins).mean().detach()")],
        "the gradient of the loss should reach the rewards",
        test="bradley_terry_loss_tests_gradient",
    ),
    # last_token_pool: the last real token, with right padding, left padding and none.
    "last_token_pool_mask_sum_minus_one": wrong(
        "last_token_pool",
        [(LAST_TOKEN_POSITIONS, "    last = attention_mask.sum(dim=1) - 1\n")],
        "left padding: both rows end at position 3",
    ),
    "last_token_pool_last_position": wrong(
        "last_token_pool",
        [(LAST_TOKEN_POSITIONS + LAST_TOKEN_RETURN, "    return hidden[:, -1]\n")],
        "right padding: rows end at positions 2 and 1",
    ),
    "last_token_pool_first_real_token": wrong(
        "last_token_pool",
        [(LAST_TOKEN_POSITIONS, "    last = attention_mask.argmax(dim=1)\n")],
        "right padding: rows end at positions 2 and 1",
    ),
    # mean_pool: real tokens only, and 0 (not NaN) for a row without any.
    "mean_pool_ignores_mask": wrong(
        "mean_pool", [(MEAN_POOL_RETURN, "    return hidden.mean(dim=1)\n")], "right padding: mean of positions"
    ),
    "mean_pool_divides_by_length": wrong(
        "mean_pool",
        [(MEAN_POOL_RETURN, "    return (hidden * mask).sum(dim=1) / hidden.shape[1]\n")],
        "right padding: mean of positions",
    ),
    "mean_pool_without_clamp": wrong(
        "mean_pool",
        [(MEAN_POOL_RETURN, "    return (hidden * mask).sum(dim=1) / mask.sum(dim=1)\n")],
        "a row without real tokens gives zeros (not NaN)",
    ),
    # bradley_terry_loss: every i < j pair, averaged over pairs and batch, F.logsigmoid, the gradient kept.
    "bradley_terry_loss_adjacent_pairs_only": wrong(
        "bradley_terry_loss",
        [
            (
                "    winners, losers = zip(*itertools.combinations(range(ranked_rewards.shape[1]), 2))\n",
                "    winners, losers = range(ranked_rewards.shape[1] - 1), range(1, ranked_rewards.shape[1])\n",
            )
        ],
        "K = 3, rewards (2, 1, 0): the mean (not the sum) over the 3 pairs",
        test="bradley_terry_loss_tests_values",
    ),
    "bradley_terry_loss_summed_over_pairs": wrong(
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return -F.logsigmoid(margins).sum(dim=1).mean()")],
        "K = 3, rewards (2, 1, 0): the mean (not the sum) over the 3 pairs",
        test="bradley_terry_loss_tests_values",
    ),
    "bradley_terry_loss_log_of_sigmoid": wrong(
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return -torch.log(torch.sigmoid(margins)).mean()")],
        "margin -200: -log sigmoid(-200) = 200 (use F.logsigmoid)",
        test="bradley_terry_loss_tests_stable",
    ),
    "bradley_terry_loss_item": wrong(
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return torch.tensor(-F.logsigmoid(margins).mean().item())")],
        "the gradient of the loss should reach the rewards",
        test="bradley_terry_loss_tests_gradient",
    ),
}

RIGHT_ANSWERS = {
    "last_token_pool_loop": right(
        "last_token_pool",
        [
            (
                LAST_TOKEN_POSITIONS + LAST_TOKEN_RETURN,
                "    rows = [hidden[b, attention_mask[b].nonzero().max()] for b in range(hidden.shape[0])]\n"
                "    return torch.stack(rows)\n",
            )
        ],
    ),
    "last_token_pool_flipped_mask": right(
        "last_token_pool",
        [(LAST_TOKEN_POSITIONS, "    last = attention_mask.shape[1] - 1 - attention_mask.flip(1).argmax(dim=1)\n")],
    ),
    "mean_pool_loop": right(
        "mean_pool",
        [
            (
                MEAN_POOL_MASK + MEAN_POOL_RETURN,
                "    rows = []\n"
                "    for b in range(hidden.shape[0]):\n"
                "        real = hidden[b][attention_mask[b].bool()]\n"
                "        rows.append(real.mean(dim=0) if len(real) else torch.zeros(hidden.shape[2]))\n"
                "    return torch.stack(rows)\n",
            )
        ],
    ),
    "mean_pool_nan_to_num": right(
        "mean_pool",
        [(MEAN_POOL_RETURN, "    return torch.nan_to_num((hidden * mask).sum(dim=1) / mask.sum(dim=1), nan=0.0)\n")],
    ),
    "bradley_terry_loss_loop_and_softplus": right(
        "bradley_terry_loss",
        [
            (
                BT_BODY,
                "    pairs = itertools.combinations(range(ranked_rewards.shape[1]), 2)\n"
                "    losses = [F.softplus(ranked_rewards[:, j] - ranked_rewards[:, i]) for i, j in pairs]\n"
                "    return torch.stack(losses).mean()\n",
            )
        ],
        test="bradley_terry_loss_tests_values",
    ),
    "bradley_terry_loss_softplus": right(
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return F.softplus(-margins).mean()")],
        test="bradley_terry_loss_tests_stable",
    ),
    "bradley_terry_loss_binary_cross_entropy": right(
        "bradley_terry_loss",
        [
            (
                "return -F.logsigmoid(margins).mean()",
                "return F.binary_cross_entropy_with_logits(margins, torch.ones_like(margins))",
            )
        ],
        test="bradley_terry_loss_tests_gradient",
    ),
}
