"""One command that reproduces the shipped model and every figure in onnx/README.md.

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

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bases  # noqa: E402
import data  # noqa: E402
import train  # noqa: E402
from bert import BertClassifier, BertEncoder  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402

SEED = 42
MAX_LENGTH = 128
ALL_STAGES = ["fetch", "prepare", "tokcheck", "scratch", "frozen", "finetune-minilm", "finetune-bge",
              "teacher", "distill", "export", "quantize", "bench", "ship", "card"]

# Fine-tuning recipes (rung c). Learning rates measured on this split: MiniLM-L6 best near 1e-4,
# bge-small near 5e-5; validation peaks at epoch 2-3 and a linear decay to 0 over 3 epochs ends there.
FINETUNE = {
    "minilm": {"lr": 1e-4, "epochs": 3},
    "bge": {"lr": 5e-5, "epochs": 3},
}
DISTILL = {"base": "minilm", "lr": 1e-4, "epochs": 3, "alpha": 0.7, "temperature": 2.0}


def log(*args, **kwargs):
    print(time.strftime("%H:%M:%S"), *args, **kwargs)
    sys.stdout.flush()


class Context:
    def __init__(self, args):
        self.root = bases.repo_root()
        self.data_dir = args.data_dir or os.path.join(self.root, "..", "shared", "data", "ag_news")
        self.build = os.path.join(self.root, "onnx", "build")
        self.quick = args.quick
        self.device = train.pick_device()
        torch.set_num_threads(2)
        os.makedirs(self.build, exist_ok=True)

    def path(self, *parts):
        p = os.path.join(self.build, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def prepared(self):
        with open(self.path("prepared.json")) as f:
            return json.load(f)

    def split_tokens(self, base="minilm"):
        p = self.prepared()
        ids = p["token_ids"][base]
        tr, va = p["train_indices"], p["validation_indices"]
        if self.quick:
            tr, va = tr[:256], va[:128]
        return ([ids[i] for i in tr], [p["labels"][i] for i in tr], [ids[i] for i in va], [p["labels"][i] for i in va])

    def epochs(self, n):
        return 1 if self.quick else n

    def max_steps(self):
        return 8 if self.quick else None

    def save_run(self, rung, model, history, val_logits, val_labels, extra=None):
        m = train.classification_metrics(val_logits, val_labels)
        run = {"rung": rung, "validation": m, "history": history, **(extra or {})}
        with open(self.path("runs", rung, "run.json"), "w") as f:
            json.dump(run, f, indent=1)
        np.save(self.path("runs", rung, "val_logits.npy"), val_logits)
        torch.save(model.state_dict(), self.path("runs", rung, "model.pt"))
        log(f"{rung}: validation accuracy {m['accuracy']:.4f} macro-F1 {m['macro_f1']:.4f}")
        return run


def stage_fetch(ctx):
    bases.fetch_bases(ctx.build, log)
    bases.fetch_bench_classpath(ctx.build, log)


def stage_prepare(ctx):
    examples, stats = data.load_examples(ctx.data_dir)
    texts = [t for t, _ in examples]
    labels = [label for _, label in examples]
    train_idx, val_idx = data.stratified_split(labels, 0.1, SEED)
    token_ids = {}
    for key in bases.BASES:
        tok = WordPieceTokenizer(bases.base_files(ctx.build, key)[1])
        token_ids[key] = [tok.encode(t, MAX_LENGTH) for t in texts]
    untruncated = [len(WordPieceTokenizer(bases.base_files(ctx.build, "minilm")[1]).encode(t, 10**6)) for t in texts]
    lengths = np.array(untruncated)
    stats.update(train_rows=len(train_idx), validation_rows=len(val_idx),
                 token_length={"mean": float(lengths.mean()), "p50": int(np.percentile(lengths, 50)),
                               "p95": int(np.percentile(lengths, 95)), "p99": int(np.percentile(lengths, 99)),
                               "max": int(lengths.max()), "over_max_length": int((lengths > MAX_LENGTH).sum())})
    with open(ctx.path("prepared.json"), "w") as f:
        json.dump({"texts": texts, "labels": labels, "train_indices": train_idx, "validation_indices": val_idx,
                   "token_ids": token_ids, "stats": stats}, f)
    log("prepared:", json.dumps(stats))


def finetune(ctx, key, rung, teacher_logits=None, recipe=None):
    recipe = recipe or FINETUNE[key]
    train.set_seed(SEED)
    tr_ids, tr_y, va_ids, va_y = ctx.split_tokens(key)
    model = BertClassifier(BertEncoder.from_onnx(bases.base_files(ctx.build, key)[0]), 4).to(ctx.device)
    history = train.fit(model, tr_ids, tr_y, epochs=ctx.epochs(recipe["epochs"]), lr=recipe["lr"], seed=SEED,
                        label=rung, device=ctx.device, val_ids=va_ids, val_labels=va_y, max_steps=ctx.max_steps(),
                        teacher_logits=teacher_logits, distill_alpha=recipe.get("alpha", 0.5),
                        temperature=recipe.get("temperature", 2.0), log=log)
    val_logits = train.predict(model, va_ids, device=ctx.device)
    return ctx.save_run(rung, model, history, val_logits, va_y,
                        {"base": key, "recipe": {**recipe, "batch_size": 32, "warmup_fraction": 0.1,
                                                 "dropout": 0.1, "optimizer": "AdamW", "seed": SEED}})


def stage_finetune_minilm(ctx):
    finetune(ctx, "minilm", "c-finetune-minilm")


def stage_finetune_bge(ctx):
    finetune(ctx, "bge", "c-finetune-bge")


STAGES = {
    "fetch": stage_fetch,
    "prepare": stage_prepare,
    "finetune-minilm": stage_finetune_minilm,
    "finetune-bge": stage_finetune_bge,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="AG News directory (default: ../shared/data/ag_news from the repo root)")
    parser.add_argument("--stages", default=",".join(ALL_STAGES), help="comma-separated subset of: " + ",".join(ALL_STAGES))
    parser.add_argument("--quick", action="store_true", help="a few training steps per rung (pipeline smoke run)")
    args = parser.parse_args()
    ctx = Context(args)
    for name in args.stages.split(","):
        if name not in STAGES:
            raise SystemExit(f"unknown stage {name}; stages: {','.join(ALL_STAGES)}")
    log(f"device {ctx.device}, data {os.path.abspath(ctx.data_dir)}")
    for name in [s for s in ALL_STAGES if s in args.stages.split(",")]:
        started = time.time()
        log(f"== stage {name}")
        STAGES[name](ctx)
        log(f"== stage {name} done in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
