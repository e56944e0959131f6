"""The hidden tests grade what the exercises ask: plausible wrong answers lose their points.

Each case is the lesson's solution with one instruction of an exercise not followed; the test cell of
that exercise must fail with a message that names what is wrong. (That every solution gets full marks
is tests/test_lessons.py's.) Each case grades a whole notebook: these are slow.
"""

from pathlib import Path

import nbformat
import pytest

from autograde.selfcheck import check_notebook

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "solutions"

# lesson, answer cell, [(what the solution says, what the wrong answer says)], test cell, part of its message
WRONG_ANSWERS = {
    "ignores_preset_cpu": (
        "05_dpo_training",
        "train_dpo_script",
        [
            ('overrides = dict(PRESETS["cpu"]) if args.preset == "cpu" else {}', "overrides = {}"),
        ],
        "train_dpo_script_tests",
        "--preset cpu should train with PRESETS['cpu']",
    ),
    "ignores_max_steps": (
        "05_dpo_training",
        "train_dpo_script",
        [
            ('        overrides["max_steps"] = args.max_steps\n', "        pass\n"),
        ],
        "train_dpo_script_tests",
        "--max-steps 2 should stop training after 2 optimizer steps",
    ),
    "never_resumes": (
        "05_dpo_training",
        "train_dpo_script",
        [
            ("trainer.train(resume_from_checkpoint=checkpoint)", "trainer.train()"),
        ],
        "train_dpo_script_tests",
        "should resume from the last checkpoint",
    ),
    "plain_dpo_trainer": (
        "05_dpo_training",
        "train_dpo_script",
        [
            ("from trl import DPOConfig\n", "from trl import DPOConfig, DPOTrainer\n"),
            ("    trainer = CourseDPOTrainer(\n", "    trainer = DPOTrainer(\n"),
        ],
        "train_dpo_script_tests",
        "dropped the prompt's final space",
    ),
    "saves_the_untrained_policy": (
        "05_dpo_training",
        "train_dpo_script",
        [
            ('    trainer.save_model(str(output / "model"))  # weights, config and tokenizer\n', ""),
            (
                "    trainer.train(resume_from_checkpoint=checkpoint)\n",
                '    trainer.save_model(str(output / "model"))\n    trainer.train(resume_from_checkpoint=checkpoint)\n',
            ),
        ],
        "train_dpo_script_tests",
        "the saved model equals the reference model",
    ),
    "reference_not_frozen": (
        "05_dpo_training",
        "train_dpo_script",
        [
            (
                "reference = load_reference(args.model).eval().requires_grad_(False)",
                "reference = load_reference(args.model)",
            ),
        ],
        "train_dpo_script_tests",
        "ref_model should be a second, frozen copy",
    ),
    # Item 6 of issue 12: the test's explanation reaches the student although their code raises first.
    "bradley_terry_loss_detached": (
        "01_reward_models",
        "bradley_terry_loss",
        [
            ("return -F.logsigmoid(margins).mean()", "return -F.logsigmoid(margins).mean().detach()"),
        ],
        "bradley_terry_loss_tests",
        "the gradient of the loss should reach the rewards",
    ),
    "dpo_loss_detached": (
        "04_dpo_loss",
        "dpo_loss",
        [
            (
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()",
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean().detach()",
            ),
        ],
        "dpo_loss_tests",
        "element 0 of tensors does not require grad",
    ),
    "extract_conversation_without_assistant": (
        "04_dpo_loss",
        "extract_conversation",
        [
            ('    if len(turns) < 2:\n        return "", ""\n', ""),
        ],
        "extract_conversation_tests",
        "a dialogue without an 'Assistant: ' turn should give ('', ''), not an error (your code raised IndexError",
    ),
    # Lessons 2 and 4: an instruction of each exercise text not followed.
    "per_token_rewards_in_place": (
        "02_ppo_kl",
        "per_token_rewards",
        [
            (
                "    rewards = -beta * (policy_token_logprobs - sft_token_logprobs) * mask\n",
                "    rewards = policy_token_logprobs\n    rewards -= sft_token_logprobs\n    rewards *= -beta * mask\n",
            ),
        ],
        "per_token_rewards_tests",
        "must not chan",
    ),
    "kl_optimal_policy_overflows": (
        "02_ppo_kl",
        "kl_optimal_policy",
        [
            (
                "return torch.softmax(torch.log(ref_probs) + rewards / beta, dim=-1)",
                "weights = ref_probs * torch.exp(rewards / beta)\n"
                "    return weights / weights.sum(dim=-1, keepdim=True)",
            ),
        ],
        "kl_optimal_policy_tests",
        "no overflow to nan",
    ),
    "completion_logprobs_in_bfloat16": (
        "04_dpo_loss",
        "completion_logprobs",
        [
            ("torch.log_softmax(logits[:, :-1].float(), dim=-1)", "torch.log_softmax(logits[:, :-1], dim=-1)"),
        ],
        "completion_logprobs_tests",
        "bfloat16 logits (compute log_softmax in float32)",
    ),
    "dpo_loss_log_of_sigmoid": (
        "04_dpo_loss",
        "dpo_loss",
        [
            (
                "loss = -F.logsigmoid(chosen_rewards - rejected_rewards).mean()",
                "loss = -torch.log(torch.sigmoid(chosen_rewards - rejected_rewards)).mean()",
            ),
        ],
        "dpo_loss_tests",
        "use F.logsigmoid",
    ),
}

# Right answers written differently: full marks.
RIGHT_ANSWERS = {
    "kl_divergence_in_float32": (
        "02_ppo_kl",
        "kl_divergence",
        [
            (
                "return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)",
                "return (torch.xlogy(p.float(), p.float()) - torch.xlogy(p.float(), q.float())).sum(dim=-1)",
            ),
        ],
    ),
}


def edited_notebook(lesson: str, cell_id: str, edits: list[tuple[str, str]], path: Path) -> Path:
    notebook = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
    cell = next(cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == cell_id)
    for right, wrong in edits:
        assert right in cell.source, f"{lesson}/{cell_id} no longer holds {right!r}: update this case"
        cell.source = cell.source.replace(right, wrong)
    nbformat.write(notebook, path / f"{lesson}.ipynb")
    return path / f"{lesson}.ipynb"


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(WRONG_ANSWERS))
def test_a_wrong_answer_loses_its_points(case, tmp_path):
    lesson, cell_id, edits, test_id, message = WRONG_ANSWERS[case]
    result = check_notebook(edited_notebook(lesson, cell_id, edits, tmp_path), SOURCE)
    exercises = {exercise.id: exercise for exercise in result.exercises}
    assert result.failure is None, result.failure
    assert exercises[test_id].points == 0 and message in (exercises[test_id].message or ""), exercises[test_id]
    # Only that exercise: the others keep their points.
    assert all(e.points == e.max_points for e in result.exercises if e.id != test_id), result.exercises


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(RIGHT_ANSWERS))
def test_a_right_answer_written_differently_keeps_its_points(case, tmp_path):
    lesson, cell_id, edits = RIGHT_ANSWERS[case]
    result = check_notebook(edited_notebook(lesson, cell_id, edits, tmp_path), SOURCE)
    assert result.failure is None and result.score == result.max_score, result.exercises
