"""Shared by the kit's tests: stored values and tolerances, each named by why it is what it is.

Import them with `from conftest import NAME` (pytest puts tests/ on the import path). Test-only
fixtures stay in the test files that use them.
"""

# --- Stored values: each is checked against what the code computes now, so a change is deliberate. ---

# sha256 (first 16 hex digits) of the expanded embedded data (training dialogues, SFT conversations,
# held-out questions). The cached tiny reference model is keyed by it, and the README's and the
# lessons' figures were measured on it: if it changes, re-measure them and update this.
EMBEDDED_DATA_SHA256 = "a81ade94511e74d2"

# Lesson 2's default reward-hacking world (rlhf_lab.kl_regularization.hacking_world(), seed 0; torch's
# CPU generator is deterministic): the reference policy's expected true quality, the best reward of an
# ordinary answer (the hacks' reward 1.5 lies above it), and the optimal policy's true quality at
# beta 0.1, far above both ends of the beta sweep. Lesson 2 discusses these numbers.
WORLD_REFERENCE_QUALITY = 0.564342
WORLD_BEST_ORDINARY_REWARD = 1.013371
WORLD_QUALITY_AT_BETA_0_1 = 0.7835

# --- Tolerances ---

# A stored value written with six (four) decimals is checked to half a unit of its last decimal, plus
# room for rounding: 1e-5 (1e-3).
SIX_DECIMALS_ATOL = 1e-5
FOUR_DECIMALS_ATOL = 1e-3

# float64 closed forms compared with hand values: only rounding, at double precision.
FLOAT64_ATOL = 1e-12
# float32 results compared with a formula evaluated by hand in float64 (single precision: ~6e-8 relative
# per operation, a few operations).
FLOAT32_RTOL = 1e-6
# Summed log-probabilities of a random tiny GPT-2: every token gets about -10.8 nats, so a sequence of
# ~35 tokens sums to about -400, where float32's spacing is 3e-5. Two implementations of the same sum
# (TRL's fused, chunked LM head against log_softmax over all logits) differ by about that much; we
# measured 1.0e-5 on the DPO loss.
SUMMED_FLOAT32_LOGPROBS_ATOL = 3e-5
# After an optimizer step those rounding differences pass through the gradient, clipping and AdamW
# (whose first updates are about lr * sign(gradient) whatever the gradient's size): measured up to
# 5e-6 at steps 2-4, 2e-7 to 1e-6 with batch 8 over 8 steps; room left for other CPUs and BLAS builds.
LATER_STEPS_ATOL = 1e-4
# The same model's output computed two ways (with and without padding, with fewer logits): the
# kernels sum in another order.
SAME_MODEL_TWO_WAYS_ATOL = 1e-5
# A loss at least this far from log 2 shows that policy and reference differ (with equal models every
# implicit reward is 0 and the DPO loss is exactly log 2, whatever the log-probabilities are).
DIFFERENT_MODELS_MIN_GAP = 1e-3


def pytest_collection_modifyitems(config, items):
    """Slow tests first (the order is stable otherwise). Under `-n 2 --dist loadgroup` each worker takes
    the next test when it is almost out of work, so long tests started early leave the many short ones to
    fill the end and both workers finish together; a long test started last kept one worker busy for
    minutes while the other idled. It also runs a lesson's whole-lesson grading before its graded-cells
    check (tests/test_lessons.py)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    restore_xdist_groups(config, items)


def restore_xdist_groups(config, items):
    """Make `@pytest.mark.xdist_group` work again under `--dist loadgroup`. pytest-xdist 3.8 groups a test
    by appending "@<group>" to `item._nodeid`, which pytest 9.2 no longer reads (a node's id lives in
    `item._id`): every group was silently split across the workers (two JupyterLabs and browsers for
    tests/test_browser.py, a worker waiting on the adversarial grading's lock). Sets the id the way xdist
    means to; harmless once xdist does it itself (the scheduler reads the last "@" part)."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if names and not item.nodeid.endswith("@" + "_".join(names)):
            item._id = type(item._id).parse(f"{item.nodeid}@{'_'.join(names)}")
