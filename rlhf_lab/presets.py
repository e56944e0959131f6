"""DPO training presets: plain settings for TRL's DPOConfig, importable without torch or TRL.

The command line lists them in its help and the lessons show them, so they live apart from the
training code (rlhf_lab.training), whose imports take seconds.

The textbook's run is the default. "gpu" keeps its optimisation (effective batch 16, lr, beta, one
epoch) and changes only how the work is executed: 16 pairs per forward pass instead of 4 x 4
accumulation, no gradient checkpointing (GPT-2 small fits without it), and batches of similar
length so less compute goes to padding. "cpu" is the embedded default on a laptop, for the tiny
reference: a few steps at a higher learning rate. Measured on it (106 held-out questions, lr 1e-4,
batch 8): beta 1.0 x 12 steps -> 98% start with the phrase, beta 2.0 x 12 -> 95%, x 16 -> 98%,
every time with no broken answers and all still on topic. A larger beta keeps the policy nearer
the reference and needs more steps (on a weaker reference, beta 1.0 broke 6.6% of the answers).
"""

# The textbook's DPO configuration (section 5.3.4), the one place it is written: the CLI, lesson 5's
# settings cell and tests/test_lessons.py (which ties the lesson's exercise to it) all read it here.
TEXTBOOK = dict(
    per_device_train_batch_size=4,
    gradient_accumulation_steps=4,
    learning_rate=1e-5,
    beta=0.3,
    num_train_epochs=1,
    max_length=512,
    logging_steps=10,
    save_steps=500,
    activation_checkpointing=True,
)
PRESETS = {
    "textbook": TEXTBOOK,
    "gpu": {
        **TEXTBOOK,
        "per_device_train_batch_size": 16,
        "gradient_accumulation_steps": 1,
        "activation_checkpointing": False,
        "train_sampling_strategy": "group_by_length",
        "remove_unused_columns": False,  # keep "length" for the sampler; TRL's collator ignores it
    },
    "cpu": dict(
        per_device_train_batch_size=8,
        gradient_accumulation_steps=1,
        learning_rate=1e-4,
        beta=1.0,
        max_steps=12,
        lr_scheduler_type="constant",
        max_length=512,
        logging_steps=1,
        save_steps=6,
        activation_checkpointing=False,
    ),
}
# Besides the presets, every run writes one checkpoint at a time and reports to no tracker.
RUN_SETTINGS = {"save_total_limit": 1, "report_to": "none"}
