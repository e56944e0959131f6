"""The hidden-test cases of lesson 05_dpo_training (their format: tests/test_hidden_tests.py's docstring)."""

from hidden_answers import right, wrong

FULLY_GRADED = "ignores_preset_cpu"  # the wrong answer graded through the whole grading path
WITHOUT_RIGHT_ANSWERS = (
    "the script's second test cell trains at each run; the solution itself is tests/test_lessons.py's"
)

# textbook_config's values, written out.
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

WRONG_ANSWERS = {
    # The script: each step of the exercise text. Each run of its second test cell trains (slow).
    "ignores_preset_cpu": wrong(
        "train_dpo_script",
        [('overrides = dict(PRESETS["cpu"]) if args.preset == "cpu" else {}', "overrides = {}")],
        "--preset cpu should train with PRESETS['cpu']",
        test="train_dpo_script_tests_main",
        slow=True,
    ),
    "ignores_max_steps": wrong(
        "train_dpo_script",
        [('        overrides["max_steps"] = args.max_steps\n', "        pass\n")],
        "--max-steps 2 should stop training after 2 optimizer steps",
        test="train_dpo_script_tests_main",
        slow=True,
    ),
    "never_resumes": wrong(
        "train_dpo_script",
        [("trainer.train(resume_from_checkpoint=checkpoint)", "trainer.train()")],
        "should resume from the last checkpoint",
        test="train_dpo_script_tests_main",
        slow=True,
    ),
    "plain_dpo_trainer": wrong(
        "train_dpo_script",
        [
            ("from trl import DPOConfig\n", "from trl import DPOConfig, DPOTrainer\n"),
            ("    trainer = CourseDPOTrainer(\n", "    trainer = DPOTrainer(\n"),
        ],
        "dropped the prompt's final space",
        test="train_dpo_script_tests_main",
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
        test="train_dpo_script_tests_main",
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
        test="train_dpo_script_tests_main",
        slow=True,
    ),
    "ignores_data": wrong(
        "train_dpo_script",
        [("load_dialogues(args.data)", "load_dialogues([EMBEDDED])")],
        "should train on the",
        test="train_dpo_script_tests_main",
        slow=True,
    ),
    # textbook_config (the first test cell): every value written out, none taken from the kit.
    "textbook_config_without_learning_rate": wrong(
        "train_dpo_script",
        [(TEXTBOOK_LEARNING_RATE, "")],
        "textbook_config(...).learning_rate: expected 1e-05, got 1e-06",
        test="train_dpo_script_tests_config",
        slow=True,
    ),
    "textbook_config_trusts_trl_defaults": wrong(
        "train_dpo_script",
        [(TEXTBOOK_SAVING, ""), (TEXTBOOK_CHECKPOINTING, "")],
        "not given: logging_steps, save_steps, activation_checkpointing",
        test="train_dpo_script_tests_config",
        slow=True,
    ),
    "textbook_config_from_the_kit": wrong(
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
        slow=True,
    ),
}

RIGHT_ANSWERS = {
    "textbook_config_keywords_merged": right(
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
        slow=True,
    ),
}
