"""Which of the course kit's functions each exercise asks the student to write.

The hidden tests compare a student's function with the kit's (`rlhf_lab`), so an answer that only
imports the kit's function would pass them. While the graded test cell `grade_id` runs, the grader
watches the kit functions listed here (autograde/kit_watch.py): a student's code that calls one of
them, or a name the exercise asks for that is one of them, fails that test cell
(autograde/verdict.py). The test code itself may call them (its reference values), and so may the
lesson's own cells outside the test cell.

Every graded test cell of every lesson has an entry (tests/test_delegation.py checks it): a new
exercise needs a decision here, an empty tuple if it has nothing of the kit to hide.

Decided per exercise: only the exercise's own functions are listed. An answer may use what the
lesson's setup cells import (lesson 3's `lagrangian`, lesson 4's `format_prompt` and
`encode_prompt_completion`, lesson 5's `CourseDPOTrainer`, `build_pairs`, `load_reference`), and the
kit's answers to OTHER exercises: those are graded on their own, and none does the work of the
exercise that uses it (lesson 3's reward_difference may build on reward_from_policy, as its solution
does with the student's own; lesson 6's k3 may use k1). A kit function that reaches a listed one
(`build_pairs` -> `make_pair`, `dpo_config` -> `textbook_config`, `optimal_policy` ->
`stationary_probability`) is caught through it: the watch sees the listed function run.
"""

KIT_FUNCTIONS: dict[str, tuple[str, ...]] = {
    # 01_reward_models
    "last_token_pool_tests": ("rlhf_lab.reward_model.last_token_pool",),
    "mean_pool_tests": ("rlhf_lab.reward_model.mean_pool",),
    "bradley_terry_loss_tests_values": ("rlhf_lab.losses.bradley_terry_loss",),
    "bradley_terry_loss_tests_stable": ("rlhf_lab.losses.bradley_terry_loss",),
    "bradley_terry_loss_tests_gradient": ("rlhf_lab.losses.bradley_terry_loss",),
    # 02_ppo_kl
    "kl_penalized_reward_tests": ("rlhf_lab.losses.kl_penalized_reward",),
    "per_token_rewards_tests_values": ("rlhf_lab.losses.per_token_rewards",),
    "per_token_rewards_tests_inputs": ("rlhf_lab.losses.per_token_rewards",),
    "kl_divergence_tests": ("rlhf_lab.kl_regularization.kl_divergence",),
    "kl_optimal_policy_tests": ("rlhf_lab.kl_regularization.kl_optimal_policy",),
    # 03_dpo_derivation
    "stationary_probability_tests": ("rlhf_lab.dpo_derivation.stationary_probability",),
    "reward_from_policy_tests": ("rlhf_lab.dpo_derivation.reward_from_policy",),
    "reward_difference_tests": ("rlhf_lab.dpo_derivation.reward_difference",),
    # 04_dpo_loss
    "is_single_turn_tests": ("rlhf_lab.pairs.is_single_turn",),
    "extract_conversation_tests": ("rlhf_lab.pairs.extract_conversation",),
    "make_pair_fits_length_tests_make_pair": ("rlhf_lab.pairs.make_pair",),
    "make_pair_fits_length_tests_fits_length": ("rlhf_lab.pairs.fits_length",),
    "completion_logprobs_tests": ("rlhf_lab.losses.completion_logprobs",),
    "dpo_loss_tests_loss": ("rlhf_lab.losses.dpo_loss",),
    "dpo_loss_tests_accuracy": ("rlhf_lab.losses.reward_accuracy",),
    "dpo_loss_tests_margin": ("rlhf_lab.losses.reward_margin",),
    # 05_dpo_training: the script's textbook_config, and its training (the kit's train_dpo does all of main)
    "train_dpo_script_tests_config": ("rlhf_lab.training.textbook_config",),
    "train_dpo_script_tests_main": ("rlhf_lab.training.textbook_config", "rlhf_lab.training.train_dpo"),
    # 06_rlhf_loop
    "leave_one_out_advantages_tests_values": ("rlhf_lab.policy_gradient.leave_one_out_advantages",),
    "leave_one_out_advantages_tests_dtype": ("rlhf_lab.policy_gradient.leave_one_out_advantages",),
    "clipped_surrogate_loss_tests_values": ("rlhf_lab.policy_gradient.clipped_surrogate_loss",),
    "clipped_surrogate_loss_tests_gradient": ("rlhf_lab.policy_gradient.clipped_surrogate_loss",),
    "clipped_surrogate_loss_tests_dtype": ("rlhf_lab.policy_gradient.clipped_surrogate_loss",),
    "kl_estimate_k1_tests_values": ("rlhf_lab.policy_gradient.kl_estimate_k1",),
    "kl_estimate_k1_tests_dtype": ("rlhf_lab.policy_gradient.kl_estimate_k1",),
    "kl_estimate_k3_tests_values": ("rlhf_lab.policy_gradient.kl_estimate_k3",),
    "kl_estimate_k3_tests_dtype": ("rlhf_lab.policy_gradient.kl_estimate_k3",),
}
