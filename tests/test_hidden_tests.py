"""The hidden tests grade what the exercises ask: plausible wrong answers lose their points, right
answers written differently keep them.

Each wrong answer is the lesson's solution with one instruction of an exercise not followed; the test
cell of that exercise must fail with a message that names what is wrong, and every other exercise must
keep its points. (That every solution gets full marks is tests/test_lessons.py's.)

Grading runs a lesson's cells up to its last graded one (autograde/execute.py) and scores each test
cell by its errors and check records. Most cases here run exactly those cells, with the same hidden
test code, in a fresh kernel and read each test cell's error: the test cells are what a grade is made
of, without the course folder, nbgrader and the sandbox around them (seconds instead of half a minute).
Wrong answers of different exercises of one lesson share a notebook (one kernel), since each test
cell is read on its own. One wrong answer per lesson goes through the whole grading path
(`check_notebook`), together with a right answer of each of the lesson's other exercises. Lesson 5's
cases train its script twice each (tens of seconds): they are the slow ones.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader import utils

from autograde.selfcheck import check_notebook

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "solutions"
L1, L2, L3, L4, L5 = "01_reward_models", "02_ppo_kl", "03_dpo_derivation", "04_dpo_loss", "05_dpo_training"
L6 = "06_rlhf_loop"


@dataclass(frozen=True)
class Answer:
    """The solution of `lesson` with each (answer cell, solution text, replacement) of `edits` applied."""

    lesson: str
    edits: tuple[tuple[str, str, str], ...]
    test: str  # the test cell that grades it
    message: str | None = None  # part of the test cell's error; None: a right answer, the test passes

    @property
    def cells(self) -> set[str]:
        return {cell for cell, _, _ in self.edits}


def wrong(lesson, cell, edits, message, test=None, more=()) -> Answer:
    """An answer in `cell` (plus any `more` (cell, text, replacement) edits) that must fail `test` with `message`."""
    return Answer(lesson, tuple((cell, *edit) for edit in edits) + tuple(more), test or f"{cell}_tests", message)


def right(lesson, cell, edits, test=None, more=()) -> Answer:
    return Answer(lesson, tuple((cell, *edit) for edit in edits) + tuple(more), test or f"{cell}_tests")


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
STATIONARY_BODY = (
    '    p_i = sympy.Symbol("p_i", positive=True)\n'
    "    condition = sympy.diff(lagrangian([p_i], [q_i], [r_i], beta, lam), p_i)\n"
    "    solution = sympy.solve(condition, p_i)[0]\n"
    "    return sympy.powsimp(sympy.expand(solution))\n"
)
REWARD_FROM_POLICY_RETURN = "    return beta * sympy.log(pi_r / pi_ref) + beta * sympy.log(Z)\n"
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

# Lesson 5's textbook_config: the values written out.
TEXTBOOK_BATCH = (
    '        "per_device_train_batch_size": 4,  # x 4 accumulated = 16 pairs per update\n'
    '        "gradient_accumulation_steps": 4,\n'
    '        "learning_rate": 1e-5,  # DPOConfig\'s default is 1e-6\n'
    '        "beta": 0.3,\n'
    '        "num_train_epochs": 1,\n'
    '        "max_length": 512,\n'
)
TEXTBOOK_LEARNING_RATE = '        "learning_rate": 1e-5,  # DPOConfig\'s default is 1e-6\n'
TEXTBOOK_SAVING = (
    '        "logging_steps": 10,\n        "save_steps": 500,  # a checkpoint to resume from every 500 updates\n'
)
TEXTBOOK_CHECKPOINTING = (
    '        "activation_checkpointing": True,  # gradient_checkpointing\'s name in transformers 5.24\n'
)

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

WRONG_ANSWERS = {
    # Lesson 5's script: each step of the exercise text.
    "ignores_preset_cpu": wrong(
        L5,
        "train_dpo_script",
        [('overrides = dict(PRESETS["cpu"]) if args.preset == "cpu" else {}', "overrides = {}")],
        "--preset cpu should train with PRESETS['cpu']",
        test="train_dpo_script_tests_main",
    ),
    "ignores_max_steps": wrong(
        L5,
        "train_dpo_script",
        [('        overrides["max_steps"] = args.max_steps\n', "        pass\n")],
        "--max-steps 2 should stop training after 2 optimizer steps",
        test="train_dpo_script_tests_main",
    ),
    "never_resumes": wrong(
        L5,
        "train_dpo_script",
        [("trainer.train(resume_from_checkpoint=checkpoint)", "trainer.train()")],
        "should resume from the last checkpoint",
        test="train_dpo_script_tests_main",
    ),
    "plain_dpo_trainer": wrong(
        L5,
        "train_dpo_script",
        [
            ("from trl import DPOConfig\n", "from trl import DPOConfig, DPOTrainer\n"),
            ("    trainer = CourseDPOTrainer(\n", "    trainer = DPOTrainer(\n"),
        ],
        "dropped the prompt's final space",
        test="train_dpo_script_tests_main",
    ),
    "saves_the_untrained_policy": wrong(
        L5,
        "train_dpo_script",
        [
            ('    trainer.save_model(str(output / "model"))  # weights, config and tokenizer\n', ""),
            (
                "    trainer.train(resume_from_checkpoint=checkpoint)\n",
                '    trainer.save_model(str(output / "model"))\n    trainer.train(resume_from_checkpoint=checkpoint)\n',
            ),
        ],
        "the saved model equals the reference model",
        test="train_dpo_script_tests_main",
    ),
    "reference_not_frozen": wrong(
        L5,
        "train_dpo_script",
        [
            (
                "reference = load_reference(args.model).eval().requires_grad_(False)",
                "reference = load_reference(args.model)",
            )
        ],
        "ref_model should be a second, frozen copy",
        test="train_dpo_script_tests_main",
    ),
    "ignores_data": wrong(
        L5,
        "train_dpo_script",
        [("load_dialogues(args.data)", "load_dialogues([EMBEDDED])")],
        "should train on the",
        test="train_dpo_script_tests_main",
    ),
    "textbook_config_without_learning_rate": wrong(
        L5,
        "train_dpo_script",
        [(TEXTBOOK_LEARNING_RATE, "")],
        "textbook_config(...).learning_rate: expected 1e-05, got 1e-06",
        test="train_dpo_script_tests_config",
    ),
    "textbook_config_trusts_trl_defaults": wrong(
        L5,
        "train_dpo_script",
        [(TEXTBOOK_SAVING, ""), (TEXTBOOK_CHECKPOINTING, "")],
        "not given: logging_steps, save_steps, activation_checkpointing",
        test="train_dpo_script_tests_config",
    ),
    "textbook_config_from_the_kit": wrong(
        L5,
        "train_dpo_script",
        [
            (
                "from rlhf_lab.pairs import build_pairs\n",
                "from rlhf_lab.pairs import build_pairs\nfrom rlhf_lab.presets import TEXTBOOK\n",
            ),
            (TEXTBOOK_BATCH, "        **TEXTBOOK,\n"),
        ],
        "takes the textbook's settings from the kit (rlhf_lab.presets.TEXTBOOK)",
        test="train_dpo_script_tests_config",
    ),
    # Item 6 of issue 12: the test's explanation reaches the student although their code raises first.
    "bradley_terry_loss_detached": wrong(
        L1,
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return -F.logsigmoid(margins).mean().detach()")],
        "the gradient of the loss should reach the rewards",
    ),
    "dpo_loss_detached": wrong(
        L4,
        "dpo_loss",
        [
            (
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()",
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean().detach()",
            )
        ],
        "element 0 of tensors does not require grad",
    ),
    "extract_conversation_without_assistant": wrong(
        L4,
        "extract_conversation",
        [('    if len(turns) < 2:\n        return "", ""\n', "")],
        "a dialogue without an 'Assistant: ' turn should give ('', ''), not an error (your code raised IndexError",
    ),
    # Lessons 2 and 4: an instruction of each exercise text not followed.
    "per_token_rewards_in_place": wrong(
        L2,
        "per_token_rewards",
        [
            (
                "    rewards = -beta * (policy_token_logprobs - sft_token_logprobs) * mask\n",
                "    rewards = policy_token_logprobs\n    rewards -= sft_token_logprobs\n    rewards *= -beta * mask\n",
            )
        ],
        "must not chan",
    ),
    "kl_optimal_policy_overflows": wrong(
        L2,
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
    "completion_logprobs_in_bfloat16": wrong(
        L4,
        "completion_logprobs",
        [("torch.log_softmax(logits[:, :-1].float(), dim=-1)", "torch.log_softmax(logits[:, :-1], dim=-1)")],
        "bfloat16 logits (compute log_softmax in float32)",
    ),
    "dpo_loss_log_of_sigmoid": wrong(
        L4,
        "dpo_loss",
        [
            (
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()",
                "loss = -torch.log(torch.sigmoid(chosen_rewards - rejected_rewards)).mean()",
            )
        ],
        "use F.logsigmoid",
    ),
    # Lesson 1, last_token_pool: the last real token, with right padding, left padding and none.
    "last_token_pool_mask_sum_minus_one": wrong(
        L1,
        "last_token_pool",
        [(LAST_TOKEN_POSITIONS, "    last = attention_mask.sum(dim=1) - 1\n")],
        "left padding: both rows end at position 3",
    ),
    "last_token_pool_last_position": wrong(
        L1,
        "last_token_pool",
        [(LAST_TOKEN_POSITIONS + LAST_TOKEN_RETURN, "    return hidden[:, -1]\n")],
        "right padding: rows end at positions 2 and 1",
    ),
    "last_token_pool_first_real_token": wrong(
        L1,
        "last_token_pool",
        [(LAST_TOKEN_POSITIONS, "    last = attention_mask.argmax(dim=1)\n")],
        "right padding: rows end at positions 2 and 1",
    ),
    # mean_pool: real tokens only, and 0 (not NaN) for a row without any.
    "mean_pool_ignores_mask": wrong(
        L1, "mean_pool", [(MEAN_POOL_RETURN, "    return hidden.mean(dim=1)\n")], "right padding: mean of positions"
    ),
    "mean_pool_divides_by_length": wrong(
        L1,
        "mean_pool",
        [(MEAN_POOL_RETURN, "    return (hidden * mask).sum(dim=1) / hidden.shape[1]\n")],
        "right padding: mean of positions",
    ),
    "mean_pool_without_clamp": wrong(
        L1,
        "mean_pool",
        [(MEAN_POOL_RETURN, "    return (hidden * mask).sum(dim=1) / mask.sum(dim=1)\n")],
        "a row without real tokens gives zeros (not NaN)",
    ),
    # bradley_terry_loss: every i < j pair, averaged over pairs and batch, F.logsigmoid, the gradient kept.
    "bradley_terry_loss_adjacent_pairs_only": wrong(
        L1,
        "bradley_terry_loss",
        [
            (
                "    winners, losers = zip(*itertools.combinations(range(ranked_rewards.shape[1]), 2))\n",
                "    winners, losers = range(ranked_rewards.shape[1] - 1), range(1, ranked_rewards.shape[1])\n",
            )
        ],
        "K = 3, rewards (2, 1, 0)",
    ),
    "bradley_terry_loss_summed_over_pairs": wrong(
        L1,
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return -F.logsigmoid(margins).sum(dim=1).mean()")],
        "K = 3, rewards (2, 1, 0)",
    ),
    "bradley_terry_loss_log_of_sigmoid": wrong(
        L1,
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return -torch.log(torch.sigmoid(margins)).mean()")],
        "margin -200 (use F.logsigmoid)",
    ),
    "bradley_terry_loss_item": wrong(
        L1,
        "bradley_terry_loss",
        [("return -F.logsigmoid(margins).mean()", "return torch.tensor(-F.logsigmoid(margins).mean().item())")],
        "the gradient of the loss should reach the rewards",
    ),
    # Lesson 2, kl_penalized_reward: r - beta * (log pi_RL - log pi_SFT), differentiable.
    "kl_penalized_reward_ratio_of_logprobs": wrong(
        L2,
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return reward_score - beta * (policy_logprob / sft_logprob)\n")],
        "R = r - 0.1 * (log pi_RL - log pi_SFT)",
    ),
    "kl_penalized_reward_without_beta": wrong(
        L2,
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return reward_score - (policy_logprob - sft_logprob)\n")],
        "R = r - 0.1 * (log pi_RL - log pi_SFT)",
    ),
    "kl_penalized_reward_detached": wrong(
        L2,
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return (reward_score - beta * (policy_logprob - sft_logprob)).detach()\n")],
        "the gradient of R should reach policy_logprob",
    ),
    # per_token_rewards: the penalty on answer tokens only, the score on each row's last answer token.
    "per_token_rewards_score_on_last_position": wrong(
        L2,
        "per_token_rewards",
        [("    rewards[torch.arange(mask.shape[0]), last] += reward_score\n", "    rewards[:, -1] += reward_score\n")],
        "KL penalty on tokens 0-2, score 2 added on token 2, padding 0",
    ),
    "per_token_rewards_score_at_mask_sum": wrong(
        L2,
        "per_token_rewards",
        [("    last = (positions * mask).argmax(dim=1)\n", "    last = mask.sum(dim=1).long() - 1\n")],
        "prompt and padding masked, score on each row's last answer token",
    ),
    "per_token_rewards_penalty_everywhere": wrong(
        L2,
        "per_token_rewards",
        [
            (
                " * (policy_token_logprobs - sft_token_logprobs) * mask\n",
                " * (policy_token_logprobs - sft_token_logprobs)\n",
            )
        ],
        "KL penalty on tokens 0-2, score 2 added on token 2, padding 0",
    ),
    # kl_divergence: p log p - p log q over the last dimension, 0 where p = 0.
    "kl_divergence_nan_where_p_is_zero": wrong(
        L2,
        "kl_divergence",
        [(KL_DIVERGENCE_RETURN, "    return (p * torch.log(p / q)).sum(dim=-1)\n")],
        "terms with p = 0 count as 0, not nan",
    ),
    "kl_divergence_reversed": wrong(
        L2,
        "kl_divergence",
        [(KL_DIVERGENCE_RETURN, "    return (torch.xlogy(q, q) - torch.xlogy(q, p)).sum(dim=-1)\n")],
        "KL((1/2, 1/2) || (1/4, 3/4))",
    ),
    "kl_divergence_over_the_first_dimension": wrong(
        L2,
        "kl_divergence",
        [(KL_DIVERGENCE_RETURN, "    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=0)\n")],
        "a batch of two pairs (float64 inputs)",
    ),
    # kl_optimal_policy: pi_ref * exp(r / beta), normalised over the last dimension, without overflow.
    "kl_optimal_policy_rewards_times_beta": wrong(
        L2,
        "kl_optimal_policy",
        [("rewards / beta, dim=-1)", "rewards * beta, dim=-1)")],
        "beta = 2: weights 1 and sqrt(3)",
    ),
    "kl_optimal_policy_without_reference": wrong(
        L2,
        "kl_optimal_policy",
        [("torch.softmax(torch.log(ref_probs) + rewards / beta, dim=-1)", "torch.softmax(rewards / beta, dim=-1)")],
        "equal rewards leave pi_ref unchanged",
    ),
    "kl_optimal_policy_over_the_first_dimension": wrong(
        L2,
        "kl_optimal_policy",
        [("rewards / beta, dim=-1)", "rewards / beta, dim=0)")],
        "row sums, beta 0.05",
    ),
    # Lesson 3, stationary_probability: the derivative's "+1", one expression, the arguments (numbers too).
    "stationary_probability_without_the_one": wrong(
        L3,
        "stationary_probability",
        [(STATIONARY_BODY, "    return q_i * sympy.exp((r_i - lam) / beta)\n")],
        "dL/dp_1 of the three-answer Lagrangian at your p_1",
    ),
    "stationary_probability_returns_the_list": wrong(
        L3,
        "stationary_probability",
        [
            (
                "    solution = sympy.solve(condition, p_i)[0]\n    return sympy.powsimp(sympy.expand(solution))\n",
                "    return sympy.solve(condition, p_i)\n",
            )
        ],
        "stationary_probability should return one sympy expression, got list",
    ),
    "stationary_probability_notebook_symbols": wrong(
        L3,
        "stationary_probability",
        [(STATIONARY_BODY, "    return q[0] * sympy.exp((r[0] - beta - lam) / beta)\n")],
        "with numbers in, expected a number out",
    ),
    # reward_from_policy: beta log(pi_r / pi_ref) + beta log Z, with sympy.log.
    "reward_from_policy_math_log": wrong(
        L3,
        "reward_from_policy",
        [
            (
                REWARD_FROM_POLICY_RETURN,
                "    import math\n    return beta * math.log(pi_r / pi_ref) + beta * math.log(Z)\n",
            )
        ],
        "use sympy.log",
    ),
    "reward_from_policy_without_log_z": wrong(
        L3,
        "reward_from_policy",
        [(REWARD_FROM_POLICY_RETURN, "    return beta * sympy.log(pi_r / pi_ref)\n")],
        "reward_from_policy(pi_ref*exp(r/beta)/Z, pi_ref, Z, beta) - r",
    ),
    "reward_from_policy_log_z_without_beta": wrong(
        L3,
        "reward_from_policy",
        [(REWARD_FROM_POLICY_RETURN, "    return beta * sympy.log(pi_r / pi_ref) + sympy.log(Z)\n")],
        "reward_from_policy(pi_ref*exp(r/beta)/Z, pi_ref, Z, beta) - r",
    ),
    # reward_difference: r_w - r_l through reward_from_policy, with the log Z terms cancelled.
    "reward_difference_keeps_log_z": wrong(
        L3,
        "reward_difference",
        [("    return sympy.expand(sympy.expand_log(difference, force=True))\n", "    return difference\n")],
        "Z still appears in your difference",
        more=[("reward_from_policy", REWARD_FROM_POLICY_RETURN, "    return beta * sympy.log(pi_r * Z / pi_ref)\n")],
    ),
    "reward_difference_reversed": wrong(
        L3,
        "reward_difference",
        [
            (
                "reward_from_policy(pi_w, ref_w, Z, beta) - reward_from_policy(pi_l, ref_l, Z, beta)",
                "reward_from_policy(pi_l, ref_l, Z, beta) - reward_from_policy(pi_w, ref_w, Z, beta)",
            )
        ],
        "your difference minus (beta*log(pi_w/ref_w) - beta*log(pi_l/ref_l))",
    ),
    # Lesson 4, is_single_turn: fewer than two "Human: " (with its space) in both dialogues.
    "is_single_turn_chosen_only": wrong(
        L4,
        "is_single_turn",
        [(SINGLE_TURN_RETURN, '    return row["chosen"].count("Human: ") < 2\n')],
        "the rejected dialogue has two human turns",
    ),
    "is_single_turn_rejected_only": wrong(
        L4,
        "is_single_turn",
        [(SINGLE_TURN_RETURN, '    return row["rejected"].count("Human: ") < 2\n')],
        "the chosen dialogue has two human turns",
    ),
    "is_single_turn_marker_without_space": wrong(
        L4,
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
        L4,
        "is_single_turn",
        [
            (
                SINGLE_TURN_RETURN,
                '    return row["chosen"].count("Human: ") == 1 and row["rejected"].count("Human: ") == 1\n',
            )
        ],
        "a dialogue without any 'Human: ' has fewer than two human turns",
    ),
    # extract_conversation: the question without "Human: ", both stripped.
    "extract_conversation_answer_not_stripped": wrong(
        L4,
        "extract_conversation",
        [("    return question.strip(), turns[1].strip()\n", "    return question.strip(), turns[1]\n")],
        "surrounding spaces and newlines should be stripped",
    ),
    "extract_conversation_keeps_the_human_marker": wrong(
        L4,
        "extract_conversation",
        [('    question = turns[0].replace("Human: ", "")\n', "    question = turns[0]\n")],
        "question: expected 'What is Python?'",
    ),
    # make_pair and fits_length: the eos argument; both limits, counted with prompt and chosen encoded apart.
    "make_pair_fixed_eos": wrong(
        L4,
        "make_pair_fits_length",
        [
            ("EXPLAIN_PREFIX + answer + eos_token,", 'EXPLAIN_PREFIX + answer + "<|endoftext|>",'),
            ('"rejected": answer + eos_token,', '"rejected": answer + "<|endoftext|>",'),
        ],
        "use the eos_token argument, not a fixed string",
    ),
    "fits_length_joint_encoding": wrong(
        L4,
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
    ),
    "fits_length_strict_limits": wrong(
        L4,
        "make_pair_fits_length",
        [(FITS_LENGTH_RETURN, FITS_LENGTH_RETURN.replace("<=", "<"))],
        "expected True, got False",
    ),
    "fits_length_counts_rejected": wrong(
        L4,
        "make_pair_fits_length",
        [('pair["prompt"], pair["chosen"])', 'pair["prompt"], pair["rejected"])')],
        "expected False, got True",
    ),
    "fits_length_without_prompt_limit": wrong(
        L4,
        "make_pair_fits_length",
        [("    return len(prompt_ids) <= max_prompt_tokens and ", "    return ")],
        "expected False, got True",
    ),
    "fits_length_default_limits_only": wrong(
        L4,
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
    ),
    # completion_logprobs: shifted by one, completion tokens only, float32, differentiable.
    "completion_logprobs_mask_not_shifted": wrong(
        L4,
        "completion_logprobs",
        [("(token_logprobs * completion_mask[:, 1:])", "(token_logprobs * completion_mask[:, :-1])")],
        "log p(y) = log(2/4) + log(3/8) for the hand example",
    ),
    "completion_logprobs_prompt_included": wrong(
        L4,
        "completion_logprobs",
        [("(token_logprobs * completion_mask[:, 1:]).sum(dim=1)", "token_logprobs.sum(dim=1)")],
        "log p(y) = log(2/4) + log(3/8) for the hand example",
    ),
    "completion_logprobs_detached": wrong(
        L4,
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
        L4,
        "dpo_loss",
        [(".mean()\n    return loss,", ".sum()\n    return loss,")],
        "mean loss of three pairs",
    ),
    "dpo_loss_rewards_not_detached": wrong(
        L4,
        "dpo_loss",
        [
            (
                "return loss, chosen_rewards.detach(), rejected_rewards.detach()",
                "return loss, chosen_rewards, rejected_rewards",
            )
        ],
        "the returned rewards should be detached",
    ),
    "reward_accuracy_counts_ties": wrong(
        L4,
        "dpo_loss",
        [("(chosen_rewards > rejected_rewards)", "(chosen_rewards >= rejected_rewards)")],
        "reward accuracy with one right, one wrong and one tied pair",
    ),
    "reward_accuracy_returns_a_tensor": wrong(
        L4,
        "dpo_loss",
        [
            (
                "(chosen_rewards > rejected_rewards).float().mean().item()",
                "(chosen_rewards > rejected_rewards).float().mean()",
            )
        ],
        "reward_accuracy and reward_margin should return Python floats",
    ),
    "reward_margin_absolute": wrong(
        L4,
        "dpo_loss",
        [
            (
                "(chosen_rewards - rejected_rewards).mean().item()",
                "(chosen_rewards - rejected_rewards).abs().mean().item()",
            )
        ],
        "mean reward margin",
    ),
    # Lesson 6, leave_one_out_advantages: the others of the same prompt (rows next to each other), dtype kept.
    "leave_one_out_baseline_includes_itself": wrong(
        L6,
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
        L6,
        "leave_one_out_advantages",
        [(LOO_BODY, "    return rewards - (rewards.sum() - rewards) / (rewards.shape[0] - 1)\n")],
        "of its own prompt",
        test="leave_one_out_advantages_tests_values",
    ),
    "leave_one_out_interleaved_groups": wrong(
        L6,
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
        L6,
        "leave_one_out_advantages",
        [("    grouped = rewards.reshape(-1, k)\n", "    grouped = rewards.float().reshape(-1, k)\n")],
        "leave_one_out_advantages returned torch.float32 for float64 rewards",
        test="leave_one_out_advantages_tests_dtype",
    ),
    "leave_one_out_in_place": wrong(
        L6,
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
        L6,
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
        L6,
        "clipped_surrogate_loss",
        [(SURROGATE_OBJECTIVE, SURROGATE_OBJECTIVE.replace("torch.min(", "torch.max("))],
        "min(rho A, clip(rho, 0.8, 1.2) A)",
        test="clipped_surrogate_loss_tests_values",
    ),
    "surrogate_clips_the_advantage": wrong(
        L6,
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
        L6,
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = logprobs / old_logprobs.detach()\n")],
        "ratios exp(logprobs - old_logprobs)",
        test="clipped_surrogate_loss_tests_values",
    ),
    "surrogate_padding_not_masked": wrong(
        L6,
        "clipped_surrogate_loss",
        [(SURROGATE_RETURN, "    return -objective.mean()\n")],
        "the rest padding",
        test="clipped_surrogate_loss_tests_values",
    ),
    "surrogate_mean_over_all_positions": wrong(
        L6,
        "clipped_surrogate_loss",
        [(SURROGATE_RETURN, "    return -(objective * mask).sum() / mask.numel()\n")],
        "the mean over the batch's 4 answer tokens",
        test="clipped_surrogate_loss_tests_values",
    ),
    "surrogate_old_logprobs_not_detached": wrong(
        L6,
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = torch.exp(logprobs - old_logprobs)\n")],
        "a gradient reached old_logprobs: detach them",
        test="clipped_surrogate_loss_tests_gradient",
    ),
    "surrogate_advantages_not_detached": wrong(
        L6,
        "clipped_surrogate_loss",
        [("    advantages = advantages.detach().unsqueeze(1)\n", "    advantages = advantages.unsqueeze(1)\n")],
        "a gradient reached the advantages: detach them",
        test="clipped_surrogate_loss_tests_gradient",
    ),
    "surrogate_in_float32": wrong(
        L6,
        "clipped_surrogate_loss",
        [(SURROGATE_RATIO, "    ratio = torch.exp(logprobs.float() - old_logprobs.detach().float())\n")],
        "a step in float32 loses the difference",
        test="clipped_surrogate_loss_tests_dtype",
    ),
    "surrogate_mean_per_answer": wrong(
        L6,
        "clipped_surrogate_loss",
        [(SURROGATE_RETURN, "    return -((objective * mask).sum(dim=1) / mask.sum(dim=1)).mean()\n")],
        "a mean per answer, then over the answers, would give",
        test="clipped_surrogate_loss_tests_values",
    ),
    # kl_estimate_k1 and kl_estimate_k3 (one answer cell): the sign, r = pi_ref / pi, k3 not k2, answer tokens summed.
    "k1_sign_reversed": wrong(
        L6,
        "kl_estimate_k1",
        [(K1_RETURN, K1_RETURN.replace("(policy_logprobs - ref_logprobs)", "(ref_logprobs - policy_logprobs)"))],
        "k1 = the sum over answer tokens of log pi - log pi_ref",
        test="kl_estimate_k1_tests_values",
    ),
    "k1_not_masked": wrong(
        L6,
        "kl_estimate_k1",
        [(K1_RETURN, "    return (policy_logprobs - ref_logprobs).sum(dim=1)\n")],
        "row 0's padding column is masked",
        test="kl_estimate_k1_tests_values",
    ),
    "k1_mean_instead_of_sum": wrong(
        L6,
        "kl_estimate_k1",
        [(K1_RETURN, K1_RETURN.replace(".sum(dim=1)", ".mean(dim=1)"))],
        "k1 = the sum over answer tokens",
        test="kl_estimate_k1_tests_values",
    ),
    "k1_in_float32": wrong(
        L6,
        "kl_estimate_k1",
        [(K1_RETURN, "    return ((policy_logprobs.float() - ref_logprobs.float()) * mask).sum(dim=1)\n")],
        "kl_estimate_k1 returned torch.float32 for float64 inputs",
        test="kl_estimate_k1_tests_dtype",
    ),
    "k3_ratio_pi_over_pi_ref": wrong(
        L6,
        "kl_estimate_k1",
        [(K3_LOG_RATIO, "    log_ratio = policy_logprobs - ref_logprobs\n")],
        "with w = pi_ref / pi",
        test="kl_estimate_k3_tests_values",
    ),
    "k3_is_k2": wrong(
        L6,
        "kl_estimate_k1",
        [(K3_RETURN, "    return (0.5 * log_ratio**2 * mask.to(policy_logprobs.dtype)).sum(dim=1)\n")],
        "k3 = the sum over answer tokens of (w - 1) - log w",
        test="kl_estimate_k3_tests_values",
    ),
    "k3_not_masked": wrong(
        L6,
        "kl_estimate_k1",
        [(K3_RETURN, "    return (torch.exp(log_ratio) - 1 - log_ratio).sum(dim=1)\n")],
        "row 0's padding column is masked",
        test="kl_estimate_k3_tests_values",
    ),
    "k3_in_float32": wrong(
        L6,
        "kl_estimate_k1",
        [(K3_LOG_RATIO, "    log_ratio = (ref_logprobs - policy_logprobs).float()\n")],
        "k3 for the float64 log-probabilities 1e-5 and 0",
        test="kl_estimate_k3_tests_dtype",
    ),
}

RIGHT_ANSWERS = {
    "textbook_config_keywords_merged": right(
        L5,
        "train_dpo_script",
        [
            (
                TEXTBOOK_BATCH,
                "        **dict(per_device_train_batch_size=4, gradient_accumulation_steps=4, learning_rate=1.0e-5,\n"
                "               beta=3 / 10, num_train_epochs=1, max_length=2**9),\n",
            ),
            (
                "    return DPOConfig(output_dir=str(output_dir), **settings)\n",
                "    return DPOConfig(str(output_dir), **settings)\n",
            ),
        ],
        test="train_dpo_script_tests_config",
    ),
    "kl_divergence_in_float32": right(
        L2,
        "kl_divergence",
        [
            (
                "return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)",
                "return (torch.xlogy(p.float(), p.float()) - torch.xlogy(p.float(), q.float())).sum(dim=-1)",
            )
        ],
    ),
    "last_token_pool_loop": right(
        L1,
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
        L1,
        "last_token_pool",
        [(LAST_TOKEN_POSITIONS, "    last = attention_mask.shape[1] - 1 - attention_mask.flip(1).argmax(dim=1)\n")],
    ),
    "mean_pool_loop": right(
        L1,
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
        L1,
        "mean_pool",
        [(MEAN_POOL_RETURN, "    return torch.nan_to_num((hidden * mask).sum(dim=1) / mask.sum(dim=1), nan=0.0)\n")],
    ),
    "bradley_terry_loss_loop_and_softplus": right(
        L1,
        "bradley_terry_loss",
        [
            (
                BT_BODY,
                "    pairs = itertools.combinations(range(ranked_rewards.shape[1]), 2)\n"
                "    losses = [F.softplus(ranked_rewards[:, j] - ranked_rewards[:, i]) for i, j in pairs]\n"
                "    return torch.stack(losses).mean()\n",
            )
        ],
    ),
    "kl_penalized_reward_rearranged": right(
        L2,
        "kl_penalized_reward",
        [(KL_REWARD_RETURN, "    return reward_score + beta * (sft_logprob - policy_logprob)\n")],
    ),
    "per_token_rewards_loop": right(
        L2,
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
    ),
    "kl_divergence_with_kl_div": right(
        L2,
        "kl_divergence",
        [(KL_DIVERGENCE_RETURN, '    return F.kl_div(torch.log(q), p, reduction="none").sum(dim=-1)\n')],
    ),
    "kl_optimal_policy_max_subtracted": right(
        L2,
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
    "stationary_probability_closed_form": right(
        L3, "stationary_probability", [(STATIONARY_BODY, "    return q_i * sympy.exp((r_i - beta - lam) / beta)\n")]
    ),
    "stationary_probability_unsimplified": right(
        L3,
        "stationary_probability",
        [("    return sympy.powsimp(sympy.expand(solution))\n", "    return solution\n")],
    ),
    "reward_from_policy_single_log": right(
        L3, "reward_from_policy", [(REWARD_FROM_POLICY_RETURN, "    return beta * sympy.log(pi_r * Z / pi_ref)\n")]
    ),
    "reward_difference_written_out": right(
        L3,
        "reward_difference",
        [
            (
                "    difference = reward_from_policy(pi_w, ref_w, Z, beta) - reward_from_policy(pi_l, ref_l, Z, beta)\n"
                "    return sympy.expand(sympy.expand_log(difference, force=True))\n",
                "    return sympy.simplify(beta * sympy.log(pi_w / ref_w) - beta * sympy.log(pi_l / ref_l))\n",
            )
        ],
    ),
    "is_single_turn_all_sides": right(
        L4,
        "is_single_turn",
        [(SINGLE_TURN_RETURN, '    return all(row[side].count("Human: ") <= 1 for side in ("chosen", "rejected"))\n')],
    ),
    "extract_conversation_partition": right(
        L4,
        "extract_conversation",
        [
            (
                EXTRACT_BODY,
                '    question, marker, answer = dialogue.partition("Assistant: ")\n'
                "    if not marker:\n"
                '        return "", ""\n'
                '    return question.replace("Human: ", "").strip(), answer.strip()\n',
            )
        ],
    ),
    "make_pair_fits_length_by_hand": right(
        L4,
        "make_pair_fits_length",
        [
            ('"prompt": format_prompt(question),', '"prompt": f"### Question: {question}\\n### Answer: ",'),
            (
                FITS_LENGTH_RETURN,
                '    n_prompt = len(tokenizer(pair["prompt"])["input_ids"])\n'
                '    n_chosen = len(tokenizer(pair["chosen"])["input_ids"])\n'
                "    return n_prompt <= max_prompt_tokens and n_prompt + n_chosen <= max_total_tokens\n",
            ),
        ],
    ),
    "completion_logprobs_cross_entropy": right(
        L4,
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
        L4,
        "dpo_loss",
        [
            (
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()",
                "loss = -F.logsigmoid(beta * ((policy_chosen - policy_rejected) - (ref_chosen - ref_rejected))).mean()",
            ),
            (
                "(chosen_rewards > rejected_rewards).float().mean().item()",
                "float((chosen_rewards > rejected_rewards).sum()) / len(chosen_rewards)",
            ),
            (
                "(chosen_rewards - rejected_rewards).mean().item()",
                "float(chosen_rewards.mean() - rejected_rewards.mean())",
            ),
        ],
    ),
    "leave_one_out_loops": right(
        L6,
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
        L6,
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
        L6,
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
        L6,
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
        L6,
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
        L6,
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
        L6,
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
        L6,
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
        L6,
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

ANSWERS = {**WRONG_ANSWERS, **RIGHT_ANSWERS}

# The case of each lesson that goes through the whole grading path, with the lesson's right answers.
FULLY_GRADED = {
    L1: "bradley_terry_loss_detached",
    L2: "kl_optimal_policy_overflows",
    L3: "reward_from_policy_math_log",
    L4: "dpo_loss_detached",
    L5: "ignores_preset_cpu",
    L6: "leave_one_out_baseline_includes_itself",
}


def read_lesson(lesson: str) -> nbformat.NotebookNode:
    return nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def apply(notebook: nbformat.NotebookNode, name: str) -> None:
    for cell_id, solution_text, replacement in ANSWERS[name].edits:
        cell = next(cell for cell in notebook.cells if grade_id(cell) == cell_id)
        assert solution_text in cell.source, f"{cell_id} no longer holds {solution_text!r}: update {name}"
        cell.source = cell.source.replace(solution_text, replacement)


@cache
def affected_tests(name: str) -> frozenset[str]:
    """The test cells an answer can change: its own, and those of exercises whose answers call its functions
    (lesson 3's `reward_difference` calls `reward_from_policy`)."""
    answer = ANSWERS[name]
    cells = read_lesson(answer.lesson).cells
    edited = [cell for cell in cells if grade_id(cell) in answer.cells]
    defined = {
        line[4:].split("(")[0] for cell in edited for line in cell.source.splitlines() if line.startswith("def ")
    }
    tests, answer_cell = {answer.test}, None
    for cell in cells:
        if utils.is_solution(cell):
            answer_cell = cell
        elif utils.is_grade(cell) and answer_cell is not None and grade_id(answer_cell) not in answer.cells:
            if any(f"{function}(" in answer_cell.source for function in defined):
                tests.add(grade_id(cell))
    return frozenset(tests)


@cache
def edited_spans(name: str) -> frozenset[tuple[str, int, int]]:
    """(cell, start, end) of each solution text that an answer replaces, in the solution's cell."""
    answer = ANSWERS[name]
    sources = {grade_id(cell): cell.source for cell in read_lesson(answer.lesson).cells}
    return frozenset(
        (cell, sources[cell].index(text), sources[cell].index(text) + len(text)) for cell, text, _ in answer.edits
    )


def exercise(name: str) -> str:
    """The exercise an answer belongs to: its test cell's grade_id without the part (`<exercise>_tests_<part>`)."""
    return ANSWERS[name].test.split("_tests")[0]


def compatible(name: str, other: str) -> bool:
    """Two answers can share a notebook: they replace separate texts (lesson 6's k1 and k3 are two functions
    of one answer cell, each with its own test cell), touch different test cells, and belong to different
    exercises (two answers to one exercise, graded by two of its parts, would change each other's result)."""
    if exercise(name) == exercise(other):
        return False
    overlap = any(
        cell == other_cell and start < other_end and other_start < end
        for cell, start, end in edited_spans(name)
        for other_cell, other_start, other_end in edited_spans(other)
    )
    return not overlap and not affected_tests(name) & affected_tests(other)


def notebook_groups(names: list[str]) -> list[tuple[str, ...]]:
    """Answers of one lesson in as few notebooks as possible, each notebook's answers compatible."""
    groups: list[list[str]] = []
    for name in sorted(names, key=lambda n: (ANSWERS[n].lesson, n)):
        answer = ANSWERS[name]
        for group in groups:
            if ANSWERS[group[0]].lesson == answer.lesson and all(compatible(name, other) for other in group):
                group.append(name)
                break
        else:
            groups.append([name])
    return [tuple(group) for group in groups]


def run_graded_cells(notebook: nbformat.NotebookNode, folder: Path) -> dict[str, str | None]:
    """Each test cell's first error ("Name: value") or None, after running the cells that grading runs
    (up to the last graded or answer cell) in a fresh kernel, in `folder`."""
    marked = [i for i, cell in enumerate(notebook.cells) if utils.is_grade(cell) or utils.is_solution(cell)]
    notebook.cells = notebook.cells[: marked[-1] + 1]
    NotebookClient(notebook, timeout=900, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    errors = {}
    for cell in notebook.cells:
        if utils.is_grade(cell) and not utils.is_solution(cell):
            first = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
            errors[grade_id(cell)] = f"{first.ename}: {first.evalue}" if first else None
    return errors


def fails_with(error: str | None, message: str) -> bool:
    return error is not None and message in error


FAST_GROUPS = notebook_groups([name for name in ANSWERS if name not in FULLY_GRADED.values()])


def group_param(group: tuple[str, ...]):
    trains = any(ANSWERS[name].lesson == L5 for name in group)  # lesson 5's second test cell trains twice
    marks = [pytest.mark.slow] if trains else []
    return pytest.param(group, id="+".join(group), marks=marks)


@pytest.mark.parametrize("group", [group_param(group) for group in FAST_GROUPS])
def test_each_answer_gets_what_it_deserves(group, tmp_path):
    """Wrong answers fail their test cell with their message; right ones and the other exercises pass."""
    notebook = read_lesson(ANSWERS[group[0]].lesson)
    for name in group:
        apply(notebook, name)
    errors = run_graded_cells(notebook, tmp_path)
    may_fail = set().union(*(affected_tests(name) for name in group))
    for name in group:
        answer = ANSWERS[name]
        error = errors[answer.test]
        if answer.message is None:
            assert error is None, f"{name}: a right answer lost {answer.test}: {error}"
        else:
            assert fails_with(error, answer.message), (
                f"{name}: {answer.test} should fail with {answer.message!r}, got {error!r}"
            )
    untouched = {test: error for test, error in errors.items() if test not in may_fail and error is not None}
    assert not untouched, f"exercises that no answer here changed lost their points: {untouched}"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", sorted(FULLY_GRADED))
def test_grading_takes_the_points_of_the_wrong_answer_only(lesson, tmp_path):
    """The whole grading path: the lesson's wrong case loses its exercise's points with its message, the
    lesson's right answers written differently keep theirs."""
    wrong_name = FULLY_GRADED[lesson]
    names = [wrong_name]
    for name in sorted(RIGHT_ANSWERS):  # one right answer per exercise that the wrong one leaves alone
        answer = RIGHT_ANSWERS[name]
        if answer.lesson == lesson and all(compatible(name, other) for other in names):
            names.append(name)
    notebook = read_lesson(lesson)
    for name in names:
        apply(notebook, name)
    nbformat.write(notebook, tmp_path / f"{lesson}.ipynb")
    result = check_notebook(tmp_path / f"{lesson}.ipynb", SOURCE)
    assert result.failure is None, result.failure
    exercises = {exercise.id: exercise for exercise in result.exercises}
    wrong_answer = ANSWERS[wrong_name]
    target = exercises[wrong_answer.test]
    assert target.points == 0 and fails_with(target.message, wrong_answer.message), target
    may_fail = affected_tests(wrong_name)
    assert all(e.points == e.max_points for e in result.exercises if e.id not in may_fail), result.exercises


@pytest.mark.parametrize("lesson", sorted(FULLY_GRADED))
def test_every_exercise_has_its_cases(lesson):
    """A wrong answer for every exercise; a right one written differently too, except for lesson 5's script
    (each of its runs trains; the solution itself is tests/test_lessons.py's)."""
    exercises = {grade_id(c) for c in read_lesson(lesson).cells if utils.is_grade(c) and not utils.is_solution(c)}
    assert exercises <= {a.test for a in WRONG_ANSWERS.values() if a.lesson == lesson}
    assert lesson == L5 or exercises <= {a.test for a in RIGHT_ANSWERS.values() if a.lesson == lesson}


def test_every_fully_graded_case_is_a_wrong_answer_of_its_lesson():
    for lesson, name in FULLY_GRADED.items():
        assert name in WRONG_ANSWERS and WRONG_ANSWERS[name].lesson == lesson, (lesson, name)
