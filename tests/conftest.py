"""Shared by the kit's tests: stored values and tolerances, each named by why it is what it is.

Import them with `from conftest import NAME` (pytest puts tests/ on the import path). Test-only
fixtures stay in the test files that use them.
"""

# --- Stored values: each is checked against what the code computes now, so a change is deliberate. ---

# sha256 (first 16 hex digits) of the expanded embedded data (training dialogues, SFT conversations,
# held-out questions). The cached tiny reference model is keyed by it, and the README's and the
# lessons' figures were measured on it: if it changes, re-measure them and update this.
EMBEDDED_DATA_SHA256 = "a81ade94511e74d2"
