"""The hidden-test cases of lesson 04_dpo_loss (their format: tests/test_hidden_tests.py's docstring)."""

from hidden_answers import right, wrong

# Solution texts that several cases replace.
SINGLE_TURN_RETURN = '    return row["chosen"].count("Human: ") < 2 and row["rejected"].count("Human: ") < 2\n'
EXTRACT_BODY = (
    '    turns = dialogue.split("Assistant: ")\n'
    "    if len(turns) < 2:\n"
    '        return "", ""\n'
    '    question = turns[0].replace("Human: ", "")\n'
    "    return question.strip(), turns[1].strip()\n"
)
FITS_LENGTH_RETURN = (
    "    return len(prompt_ids) <= max_prompt_tokens and len(prompt_ids) + len(chosen_ids) <= max_total_tokens\n"
)
COMPLETION_BODY = (
    "    logprobs = torch.log_softmax(logits[:, :-1].float(), dim=-1)\n"
    "    token_logprobs = torch.gather(logprobs, 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)\n"
    "    return (token_logprobs * completion_mask[:, 1:]).sum(dim=1)\n"
)

FULLY_GRADED = "dpo_loss_detached"  # the wrong answer graded through the whole grading path

WRONG_ANSWERS = {
    "dpo_loss_detached": wrong(
        "dpo_loss",
        [
            (
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()",
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean().detach()",
            )
        ],
        "element 0 of tensors does not require grad",
        test="dpo_loss_tests_loss",
    ),
    "extract_conversation_without_assistant": wrong(
        "extract_conversation",
        [('    if len(turns) < 2:\n        return "", ""\n', "")],
        "a dialogue without an 'Assistant: ' turn should give ('', ''), not an error (your code raised IndexError",
    ),
    "completion_logprobs_in_bfloat16": wrong(
        "completion_logprobs",
        [("torch.log_softmax(logits[:, :-1].float(), dim=-1)", "torch.log_softmax(logits[:, :-1], dim=-1)")],
        "bfloat16 logits (compute log_softmax in float32)",
    ),
    "dpo_loss_log_of_sigmoid": wrong(
        "dpo_loss",
        [
            (
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()",
                "loss = -torch.log(torch.sigmoid(chosen_rewards - rejected_rewards)).mean()",
            )
        ],
        "use F.logsigmoid",
        test="dpo_loss_tests_loss",
    ),
    # is_single_turn: fewer than two "Human: " (with its space) in both dialogues.
    "is_single_turn_chosen_only": wrong(
        "is_single_turn",
        [(SINGLE_TURN_RETURN, '    return row["chosen"].count("Human: ") < 2\n')],
        "the rejected dialogue has two human turns",
    ),
    "is_single_turn_rejected_only": wrong(
        "is_single_turn",
        [(SINGLE_TURN_RETURN, '    return row["rejected"].count("Human: ") < 2\n')],
        "the chosen dialogue has two human turns",
    ),
    "is_single_turn_marker_without_space": wrong(
        "is_single_turn",
        [
            (
                SINGLE_TURN_RETURN,
                '    return row["chosen"].count("Human:") < 2 and row["rejected"].count("Human:") < 2\n',
            )
        ],
        "count the marker 'Human: ' with its space",
    ),
    "is_single_turn_exactly_one": wrong(
        "is_single_turn",
        [
            (
                SINGLE_TURN_RETURN,
                '    return row["chosen"].count("Human: ") == 1 and row["rejected"].count("Human: ") == 1\n',
            )
        ],
        "a dialogue without any 'Human: ' has fewer than two human turns",
    ),
    # extract_conversation: the second part of the split at "Assistant: ", every "Human: " removed, both stripped.
    "extract_conversation_answer_not_stripped": wrong(
        "extract_conversation",
        [("    return question.strip(), turns[1].strip()\n", "    return question.strip(), turns[1]\n")],
        "surrounding spaces and newlines should be stripped",
    ),
    "extract_conversation_keeps_the_human_marker": wrong(
        "extract_conversation",
        [('    question = turns[0].replace("Human: ", "")\n', "    question = turns[0]\n")],
        "question: expected 'What is Python?'",
    ),
    "extract_conversation_first_human_only": wrong(
        "extract_conversation",
        [('    question = turns[0].replace("Human: ", "")\n', '    question = turns[0].replace("Human: ", "", 1)\n')],
        "question: remove every 'Human: ', not only the first",
    ),
    "extract_conversation_last_assistant": wrong(
        "extract_conversation",
        [('    turns = dialogue.split("Assistant: ")\n', '    turns = dialogue.rsplit("Assistant: ", 1)\n')],
        "answer: the second part of the split at 'Assistant: '",
    ),
    "extract_conversation_answer_to_the_end": wrong(
        "extract_conversation",
        [('    turns = dialogue.split("Assistant: ")\n', '    turns = dialogue.split("Assistant: ", 1)\n')],
        "answer: the second part of the split at 'Assistant: '",
    ),
    # make_pair and fits_length: the eos argument; both limits, counted with prompt and chosen encoded apart.
    "make_pair_fixed_eos": wrong(
        "make_pair_fits_length",
        [
            ("EXPLAIN_PREFIX + answer + eos_token,", 'EXPLAIN_PREFIX + answer + "<|endoftext|>",'),
            ('"rejected": answer + eos_token,', '"rejected": answer + "<|endoftext|>",'),
        ],
        "use the eos_token argument, not a fixed string",
        test="make_pair_fits_length_tests_make_pair",
    ),
    "fits_length_joint_encoding": wrong(
        "make_pair_fits_length",
        [
            (
                FITS_LENGTH_RETURN,
                FITS_LENGTH_RETURN.replace(
                    "len(prompt_ids) + len(chosen_ids)", 'len(tokenizer(pair["prompt"] + pair["chosen"])["input_ids"])'
                ),
            )
        ],
        "(prompt and chosen encoded separately): expected False, got True",
        test="make_pair_fits_length_tests_fits_length",
    ),
    "fits_length_strict_limits": wrong(
        "make_pair_fits_length",
        [(FITS_LENGTH_RETURN, FITS_LENGTH_RETURN.replace("<=", "<"))],
        "expected True, got False",
        test="make_pair_fits_length_tests_fits_length",
    ),
    "fits_length_counts_rejected": wrong(
        "make_pair_fits_length",
        [('pair["prompt"], pair["chosen"])', 'pair["prompt"], pair["rejected"])')],
        "expected False, got True",
        test="make_pair_fits_length_tests_fits_length",
    ),
    "fits_length_without_prompt_limit": wrong(
        "make_pair_fits_length",
        [("    return len(prompt_ids) <= max_prompt_tokens and ", "    return ")],
        "expected False, got True",
        test="make_pair_fits_length_tests_fits_length",
    ),
    "fits_length_default_limits_only": wrong(
        "make_pair_fits_length",
        [
            (
                FITS_LENGTH_RETURN,
                FITS_LENGTH_RETURN.replace("max_prompt_tokens", "MAX_PROMPT_TOKENS").replace(
                    "max_total_tokens", "MAX_TOTAL_TOKENS"
                ),
            )
        ],
        "expected False, got True",
        test="make_pair_fits_length_tests_fits_length",
    ),
    # completion_logprobs: shifted by one, completion tokens only, float32, differentiable.
    "completion_logprobs_mask_not_shifted": wrong(
        "completion_logprobs",
        [("(token_logprobs * completion_mask[:, 1:])", "(token_logprobs * completion_mask[:, :-1])")],
        "log p(y) = log(2/4) + log(3/8) for the hand example",
    ),
    "completion_logprobs_prompt_included": wrong(
        "completion_logprobs",
        [("(token_logprobs * completion_mask[:, 1:]).sum(dim=1)", "token_logprobs.sum(dim=1)")],
        "log p(y) = log(2/4) + log(3/8) for the hand example",
    ),
    "completion_logprobs_detached": wrong(
        "completion_logprobs",
        [
            (
                "(token_logprobs * completion_mask[:, 1:]).sum(dim=1)",
                "(token_logprobs * completion_mask[:, 1:]).sum(dim=1).detach()",
            )
        ],
        "the result must keep the gradient",
    ),
    # dpo_loss, reward_accuracy, reward_margin: the mean loss, detached rewards, ties wrong, float results.
    "dpo_loss_summed": wrong(
        "dpo_loss",
        [(".mean()\n    return loss,", ".sum()\n    return loss,")],
        "mean loss of two pairs with margins -200 and 0 (the mean over pairs, not the sum",
        test="dpo_loss_tests_loss",
    ),
    "dpo_loss_rewards_not_detached": wrong(
        "dpo_loss",
        [
            (
                "return loss, chosen_rewards.detach(), rejected_rewards.detach()",
                "return loss, chosen_rewards, rejected_rewards",
            )
        ],
        "the returned rewards should be detached",
        test="dpo_loss_tests_loss",
    ),
    "reward_accuracy_counts_ties": wrong(
        "dpo_loss",
        [("(chosen_rewards > rejected_rewards)", "(chosen_rewards >= rejected_rewards)")],
        "reward accuracy of two right, one wrong and one tied pair (a tie counts as wrong)",
        test="dpo_loss_tests_accuracy",
    ),
    "reward_accuracy_returns_a_tensor": wrong(
        "dpo_loss",
        [
            (
                "(chosen_rewards > rejected_rewards).float().mean().item()",
                "(chosen_rewards > rejected_rewards).float().mean()",
            )
        ],
        "reward_accuracy should return a Python float (.item()), got Tensor",
        test="dpo_loss_tests_accuracy",
    ),
    "reward_margin_returns_a_tensor": wrong(
        "dpo_loss",
        [("(chosen_rewards - rejected_rewards).mean().item()", "(chosen_rewards - rejected_rewards).mean()")],
        "reward_margin should return a Python float (.item()), got Tensor",
        test="dpo_loss_tests_margin",
    ),
    "reward_margin_absolute": wrong(
        "dpo_loss",
        [
            (
                "(chosen_rewards - rejected_rewards).mean().item()",
                "(chosen_rewards - rejected_rewards).abs().mean().item()",
            )
        ],
        "reward margin: the mean of r_hat_w - r_hat_l over pairs with margins 0.2 and -0.4",
        test="dpo_loss_tests_margin",
    ),
}

RIGHT_ANSWERS = {
    "is_single_turn_all_sides": right(
        "is_single_turn",
        [(SINGLE_TURN_RETURN, '    return all(row[side].count("Human: ") <= 1 for side in ("chosen", "rejected"))\n')],
    ),
    "extract_conversation_partition": right(
        "extract_conversation",
        [
            (
                EXTRACT_BODY,
                '    question, marker, rest = dialogue.partition("Assistant: ")\n'
                "    if not marker:\n"
                '        return "", ""\n'
                '    answer = rest.split("Assistant: ")[0]\n'
                '    return question.replace("Human: ", "").strip(), answer.strip()\n',
            )
        ],
    ),
    "make_pair_f_string": right(
        "make_pair_fits_length",
        [('"prompt": format_prompt(question),', '"prompt": f"### Question: {question}\\n### Answer: ",')],
        test="make_pair_fits_length_tests_make_pair",
    ),
    "fits_length_by_hand": right(
        "make_pair_fits_length",
        [
            (
                FITS_LENGTH_RETURN,
                '    n_prompt = len(tokenizer(pair["prompt"])["input_ids"])\n'
                '    n_chosen = len(tokenizer(pair["chosen"])["input_ids"])\n'
                "    return n_prompt <= max_prompt_tokens and n_prompt + n_chosen <= max_total_tokens\n",
            ),
        ],
        test="make_pair_fits_length_tests_fits_length",
    ),
    "completion_logprobs_cross_entropy": right(
        "completion_logprobs",
        [
            (
                COMPLETION_BODY,
                "    shifted = logits[:, :-1].float().transpose(1, 2)\n"
                '    token_logprobs = -F.cross_entropy(shifted, input_ids[:, 1:], reduction="none")\n'
                "    return (token_logprobs * completion_mask[:, 1:]).sum(dim=1)\n",
            )
        ],
    ),
    "dpo_loss_rearranged": right(
        "dpo_loss",
        [
            (
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()",
                "loss = -F.logsigmoid(beta * ((policy_chosen - policy_rejected) - (ref_chosen - ref_rejected))).mean()",
            )
        ],
        test="dpo_loss_tests_loss",
    ),
    "reward_accuracy_counted": right(
        "dpo_loss",
        [
            (
                "(chosen_rewards > rejected_rewards).float().mean().item()",
                "float((chosen_rewards > rejected_rewards).sum()) / len(chosen_rewards)",
            )
        ],
        test="dpo_loss_tests_accuracy",
    ),
    "reward_margin_difference_of_means": right(
        "dpo_loss",
        [
            (
                "(chosen_rewards - rejected_rewards).mean().item()",
                "float(chosen_rewards.mean() - rejected_rewards.mean())",
            )
        ],
        test="dpo_loss_tests_margin",
    ),
}
