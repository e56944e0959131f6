#!/bin/bash
# One class graded by a Slurm job array: task I of N grades the I-th slice of the students.
#   jobid=$(sbatch --parsable --array=1-8 docs/examples/slurm-grade-array.sh submissions graded-shards)
#   sbatch --dependency=afterok:$jobid --wrap ".venv/bin/python -m autograde merge graded-shards/* -o graded"
# Run from the course repository (after `make setup` and `.venv/bin/python -m rlhf_lab build-reference`,
# on a file system every node sees, or with RLHF_LAB_CACHE pointing to one).
#SBATCH --job-name=grade-class
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=grade-%A_%a.log
set -euo pipefail
submissions=$1
shards=$2
.venv/bin/python -m autograde grade "$submissions" -o "$shards/$SLURM_ARRAY_TASK_ID" \
    --jobs "$SLURM_CPUS_PER_TASK" --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"
