"""rlhf_lab: the reference code shared by the course's lessons, its CLI and its tests."""
