"""Settings of `python -m rlhf_lab train-rlhf`, kept free of heavy imports so the CLI parser stays fast.

"cpu": the tiny offline reference on the embedded data, on a laptop. "gpu": GPT-2 and Anthropic's
hh-rlhf from the Hub, the same code with a smaller learning rate, more prompts and longer answers.
Each preset holds the policy's RL settings ("rl"), the proxy reward model's ("reward"), and where the
reference model and the data come from.

Measured with the cpu preset on the 106 held-out questions (bench/rlhf_sweep.py, 2 cores, 2026-11-30), the
reference at 4% "Let me explain", gold reward 0.755, proxy -2.48:

    beta   rate  degenerate  on topic  gold   proxy  KL (nats)
    0      94%   84%         12%       0.103  3.90   38.1   the prefix repeated, then another topic's answer
    0.1    100%  23%         44%       0.550  3.67   14.0
    0.5    100%  0%          97%       0.981  1.64   3.5    (the preset; RL 26 s, the whole command 38 s
    1.0    97%   0%          99%       0.982  1.52   2.2     once reference and reward model are cached)

The proxy scores "prefix + another topic" and "prefix twice" above the right answer (it only ever saw
the prefix vary), so with a weak KL anchor the policy trades content for proxy reward.
"""

from rlhf_lab.data import EMBEDDED, HUB_DATASET

RLHF_PRESETS = {
    "cpu": {
        "model": "tiny",
        "data": EMBEDDED,
        "reward": {"steps": 30, "batch_size": 16, "learning_rate": 1e-4, "seed": 0, "max_tokens": 96},
        "rl": {
            "k": 4,
            "prompts": 16,
            "steps": 30,
            "beta": 0.5,
            "learning_rate": 3e-4,
            "inner_epochs": 2,
            "clip_epsilon": 0.2,
            "max_grad_norm": 1.0,
            "max_new_tokens": 48,
            "ratio": "sequence",
            "seed": 0,
        },
        "eval_samples": 2,  # sampled answers per held-out question for the KL estimate
    },
    "gpu": {
        "model": "gpt2",
        "data": HUB_DATASET,
        "reward": {"steps": 500, "batch_size": 32, "learning_rate": 1e-5, "seed": 0, "max_tokens": 512},
        "rl": {
            "k": 4,
            "prompts": 32,
            "steps": 300,
            "beta": 0.05,
            "learning_rate": 1e-5,
            "inner_epochs": 2,
            "clip_epsilon": 0.2,
            "max_grad_norm": 1.0,
            "max_new_tokens": 96,
            "ratio": "sequence",
            "seed": 0,
        },
        "eval_samples": 4,
    },
}
