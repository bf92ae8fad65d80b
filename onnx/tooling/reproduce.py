"""One command that reproduces the shipped models and every figure in onnx/README.md.

    /usr/bin/python3 onnx/tooling/reproduce.py [--data-dir DIR] [--stages a,b,...] [--quick]

Stages run in order and write their results under onnx/build/ (gitignored), so a stage that
already ran can be skipped with --stages. --quick trains for a handful of steps only (a smoke run
of the whole pipeline; its figures are meaningless).
"""
import argparse
import json
import os
import sys
import time

# The 2-core machine is shared with other builds: spinning OpenMP workers lose badly when
# oversubscribed, so they sleep instead (must be set before torch loads OpenMP).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchmarks  # noqa: E402
import card  # noqa: E402
import distillation  # noqa: E402
import packaging  # noqa: E402
import prepare  # noqa: E402
import recipes  # noqa: E402
from context import Context, log  # noqa: E402

STAGES = {
    "fetch": prepare.stage_fetch,
    "prepare": prepare.stage_prepare,
    "tokcheck": prepare.stage_tokcheck,
    "parity": prepare.stage_parity,
    "scratch": recipes.stage_scratch,
    "frozen": recipes.stage_frozen,
    "finetune-minilm": recipes.stage_finetune_minilm,
    "finetune-bge": recipes.stage_finetune_bge,
    "finetune-e5": recipes.stage_finetune_e5,
    "ablation": recipes.stage_ablation,
    "curve": recipes.stage_curve,
    "teacher": distillation.stage_teacher,
    "distill": distillation.stage_distill,
    "students": distillation.stage_students,
    "soup": recipes.stage_soup,
    "rdrop": recipes.stage_rdrop,
    "llrd": recipes.stage_llrd,
    "long": recipes.stage_long,
    "tapt": recipes.stage_tapt,
    "export": packaging.stage_export,
    "quantize": packaging.stage_quantize,
    "bench": benchmarks.stage_bench,
    "ceiling": benchmarks.stage_ceiling,
    "ship": packaging.stage_ship,
    "explain": packaging.stage_explain,
    "compare": benchmarks.stage_compare,
    "card": card.stage_card,
}
ALL_STAGES = list(STAGES)


def record_stage_time(ctx, name, seconds):
    """Wall-clock seconds of the last run of each stage (the card reports them)."""
    path = ctx.path("stage_seconds.json")
    times = json.load(open(path)) if os.path.exists(path) else {}
    times[name] = {"seconds": round(seconds), "quick": ctx.quick, "device": str(ctx.device),
                   "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with open(path, "w") as f:
        json.dump({k: times[k] for k in ALL_STAGES if k in times}, f, indent=1)


def run_stages(ctx, names):
    for name in names:
        if name not in STAGES:
            raise SystemExit(f"unknown stage {name}; stages: {','.join(ALL_STAGES)}")
    log(f"device {ctx.device} (autocast {ctx.autocast}), data {os.path.abspath(ctx.data_dir)}")
    for name in [s for s in ALL_STAGES if s in names]:
        started = time.time()
        log(f"== stage {name}")
        STAGES[name](ctx)
        seconds = time.time() - started
        log(f"== stage {name} done in {seconds:.0f}s")
        record_stage_time(ctx, name, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="AG News directory (default: ../shared/data/ag_news from the repo root)")
    parser.add_argument("--stages", default=",".join(s for s in ALL_STAGES if s != "compare"),
                        help="comma-separated subset of: " + ",".join(ALL_STAGES))
    parser.add_argument("--quick", action="store_true", help="a few training steps per rung (pipeline smoke run)")
    parser.add_argument("--baseline", help="compare stage: the model folder to compare the shipped default with")
    args = parser.parse_args()
    run_stages(Context(args.data_dir, args.quick, baseline=args.baseline), args.stages.split(","))


if __name__ == "__main__":
    main()
