"""Distillation (rung c+): a teacher's logits on the training rows, computed once, and the MiniLM
students trained on them beside the true labels."""
import json
import os

import numpy as np

import train
from context import build_model, load_run, log
from recipes import finetune, trained_or_train

# The recipe: the MiniLM fine-tuning schedule, weight 0.7 on the teacher at temperature 2; set before
# it first ran, not tuned.
DISTILL = {"base": "minilm", "lr": 1e-4, "epochs": 2, "alpha": 0.7, "temperature": 2.0}
# The teacher is the mean logits of those of these fine-tuned rungs that have been trained, strongest
# first: the 12-layer bases cost about twice MiniLM's time per epoch, so the teacher is whatever the CPU
# time spent so far could afford, and teacher.json names its members.
TEACHER_RUNGS = ("c-finetune-bge", "c-finetune-e5", "c-finetune-minilm")
# Where none of them was trained on this machine (runs stay in onnx/build/, which a fresh checkout lacks),
# the teacher is the shipped fp32 model (the current default's source), scored through ONNX Runtime as the
# service runs it: 15 minutes of inference instead of hours of training.
SHIPPED_TEACHER = "shipped-fp32"
# Shallow students: MiniLM cut to its bottom 3 or 1 layers, then the distillation recipe. A layer is a
# sixth of MiniLM's operations, so they map what speed costs in accuracy between the 6-layer default
# and the from-scratch rung (a); the 1-layer one ships as the fast variant. Trained in this order.
STUDENTS = {"c-l1-distill-minilm": 1, "c-l3-distill-minilm": 3}


def member_train_logits(ctx, rung):
    """A teacher member's logits on the training rows, computed once (bf16 where the CPU has it: soft
    labels need no more precision) and kept beside its run."""
    path = ctx.path("runs", rung, "train_logits.npy")
    if ctx.quick or not os.path.exists(path):
        run = load_run(ctx, rung)
        model = build_model(ctx, run).to(ctx.device)
        p = ctx.prepared()
        ids = [p["token_ids"][run["base"]][i] for i in ctx.train_rows()]
        np.save(path, train.predict(model, ids, device=ctx.device, autocast=ctx.autocast))
        log(f"teacher: {rung} logits on {len(ids):,} training rows")
    return np.load(path)


def shipped_logits(ctx, split):
    """The shipped fp32 model's logits on the training, validation or test rows, through OrtBench."""
    import benchmarks  # imported here: benchmarks imports the rungs, which import this module
    path = ctx.path("runs", SHIPPED_TEACHER, f"{split}_logits.npy")
    if ctx.quick or not os.path.exists(path):
        p = ctx.prepared()
        rows = {"train": ctx.train_rows, "val": ctx.validation_rows, "test": ctx.test_rows}[split]()
        texts = ctx.path("runs", SHIPPED_TEACHER, f"{split}_texts.json")
        with open(texts, "w") as f:
            json.dump({"texts": [p["texts"][i] for i in rows]}, f)
        log(f"teacher: {SHIPPED_TEACHER} logits on {len(rows):,} {split} rows")
        result = benchmarks.ort_bench(ctx, os.path.join(ctx.root, "onnx", "models", "fp32"),
                                      ctx.path("runs", SHIPPED_TEACHER, f"{split}_ort.json"), "eval",
                                      "--texts", texts, *benchmarks.served_bench_options(32, 1),
                                      threads=benchmarks.SERVED["intra_op_threads"])
        np.save(path, np.array(result["logits"], dtype=np.float32))
    return np.load(path)


def stage_teacher(ctx):
    """Teacher logits for distillation: the mean of the trained TEACHER_RUNGS' logits, or the shipped fp32
    model's where none is trained."""
    members = [rung for rung in TEACHER_RUNGS if load_run(ctx, rung) is not None]
    if members:
        train_logits = np.mean([member_train_logits(ctx, r) for r in members], 0)
        test_logits = np.mean([np.load(ctx.path("runs", r, "test_logits.npy")) for r in members], 0)
        val_logits = np.mean([np.load(ctx.path("runs", r, "val_logits.npy")) for r in members], 0)
    else:
        log(f"teacher: none of {', '.join(TEACHER_RUNGS)} is trained here; the shipped fp32 model teaches")
        members = [SHIPPED_TEACHER]
        train_logits, val_logits, test_logits = (shipped_logits(ctx, s) for s in ("train", "val", "test"))
    np.save(ctx.path("teacher_train_logits.npy"), train_logits)
    test = train.classification_metrics(test_logits, ctx.test_tokens()[1])
    validation = train.classification_metrics(val_logits, ctx.split_tokens()[3])
    with open(ctx.path("teacher.json"), "w") as f:
        json.dump({"members": members, "test": test, "validation": validation}, f, indent=1)
    log(f"teacher {' + '.join(members)}: validation accuracy {validation['accuracy']:.4f}, "
        f"test {test['accuracy']:.4f}")


def load_teacher(ctx):
    path = ctx.path("teacher.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def teacher_logits(ctx):
    path = ctx.path("teacher_train_logits.npy")
    if not os.path.exists(path):
        raise SystemExit("no teacher logits: run --stages teacher first")
    return np.load(path)


def stage_distill(ctx):
    finetune(ctx, DISTILL["base"], "c-distill-minilm", teacher_logits=teacher_logits(ctx), recipe=DISTILL)


def stage_students(ctx):
    logits = teacher_logits(ctx)
    for rung, layers in STUDENTS.items():
        trained_or_train(ctx, rung, lambda: finetune(ctx, DISTILL["base"], rung, teacher_logits=logits,
                                                     recipe={**DISTILL, "layers": layers}))
