"""The hidden-test cases of lesson 05_dpo_training (their format: tests/test_hidden_tests.py's docstring)."""

from hidden_answers import wrong

FULLY_GRADED = "ignores_preset_cpu"  # the wrong answer graded through the whole grading path
WITHOUT_RIGHT_ANSWERS = "each run of the script's test cell trains; the solution itself is tests/test_lessons.py's"

WRONG_ANSWERS = {
    # The script: each step of the exercise text. Each run of its test cell trains (slow), unless it fails first.
    "ignores_preset_cpu": wrong(
        "train_dpo_script",
        [('overrides = dict(PRESETS["cpu"]) if args.preset == "cpu" else {}', "overrides = {}")],
        "--preset cpu should train with PRESETS['cpu']",
        slow=True,
    ),
    "ignores_max_steps": wrong(
        "train_dpo_script",
        [('        overrides["max_steps"] = args.max_steps\n', "        pass\n")],
        "--max-steps 2 should stop training after 2 optimizer steps",
        slow=True,
    ),
    "never_resumes": wrong(
        "train_dpo_script",
        [("trainer.train(resume_from_checkpoint=checkpoint)", "trainer.train()")],
        "should resume from the last checkpoint",
        slow=True,
    ),
    "plain_dpo_trainer": wrong(
        "train_dpo_script",
        [
            ("from trl import DPOConfig\n", "from trl import DPOConfig, DPOTrainer\n"),
            ("    trainer = CourseDPOTrainer(\n", "    trainer = DPOTrainer(\n"),
        ],
        "dropped the prompt's final space",
        slow=True,
    ),
    "saves_the_untrained_policy": wrong(
        "train_dpo_script",
        [
            ('    trainer.save_model(str(output / "model"))  # weights, config and tokenizer\n', ""),
            (
                "    trainer.train(resume_from_checkpoint=checkpoint)\n",
                '    trainer.save_model(str(output / "model"))\n    trainer.train(resume_from_checkpoint=checkpoint)\n',
            ),
        ],
        "the saved model equals the reference model",
        slow=True,
    ),
    "reference_not_frozen": wrong(
        "train_dpo_script",
        [
            (
                "reference = load_reference(args.model).eval().requires_grad_(False)",
                "reference = load_reference(args.model)",
            )
        ],
        "ref_model should be a second, frozen copy",
        slow=True,
    ),
    "ignores_data": wrong(
        "train_dpo_script",
        [("load_dialogues(args.data)", "load_dialogues([EMBEDDED])")],
        "should train on the",
        slow=True,
    ),
    "textbook_config_without_learning_rate": wrong(
        "train_dpo_script",
        [("**TEXTBOOK,", '**{name: value for name, value in TEXTBOOK.items() if name != "learning_rate"},')],
        "textbook_config(...).learning_rate: expected 1e-05, got 1e-06",
    ),
}

RIGHT_ANSWERS = {}
