"""A tiny end-to-end run of reproduce.py's pipeline for the Java ReproduceSmokeTest: every stage of the
protocol, the ladder, distillation, ablation, curve, int8, bench, ship and card, --quick, on a data set
written here in the three files' layouts, with MiniLM as the only base.

    /usr/bin/python3 onnx/tooling/smoke_run.py --base-onnx model.onnx --base-tokenizer tokenizer.json
        --bench-classpath CLASSPATH --work DIR

Nothing is written outside DIR (its own build folder and data). Prints the run's results as one JSON
line on the last line of its output.
"""
import argparse
import csv
import gzip
import json
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bases  # noqa: E402
import data  # noqa: E402
import reproduce  # noqa: E402
from context import Context  # noqa: E402

TINY_TIERS = (("A", 40), ("B-split", 8), ("B-unsplit", 8), ("C", 8), ("D", 8))
STAGES = ["prepare", "scratch", "frozen", "finetune-minilm", "ablation", "curve", "teacher", "students", "export",
          "quantize", "bench", "ship", "card"]
WORDS = ("market shares team match talks minister chip software league election bank profit vote storm "
         "launch court oil coach network rally").split()


def text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def write_csv(path, rows):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)


def write_data(directory):
    """Words drawn at random, labels in turn: a model cannot learn them, so no accuracy is ever perfect."""
    rng = random.Random(7)
    os.makedirs(directory, exist_ok=True)
    write_csv(os.path.join(directory, data.TEST_PART), [[str(1 + i % 4), text(rng, 4), text(rng, 12)]
                                                       for i in range(40)])
    write_csv(os.path.join(directory, data.TRAIN_SAMPLE), [[text(rng, 16), str(i % 4)] for i in range(40)])
    extra = []
    for tier, count in TINY_TIERS:
        for i in range(count):
            title, description = text(rng, 4), text(rng, 12)
            if tier == "B-unsplit":
                title, description = "", title + description
            elif tier == "C":
                title = ""
            elif tier == "D":
                title, description = title.lower(), description.lower()
            extra.append([str(1 + i % 4), title, description])
    write_csv(os.path.join(directory, data.TRAIN_EXTRA), extra)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-onnx", required=True)
    parser.add_argument("--base-tokenizer", required=True)
    parser.add_argument("--bench-classpath", required=True, help="ONNX Runtime and DJL jars for OrtBench.java")
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    build = os.path.join(args.work, "build")
    base_onnx, base_tokenizer = bases.base_files(build, "minilm")
    os.makedirs(os.path.dirname(base_onnx), exist_ok=True)
    shutil.copyfile(args.base_onnx, base_onnx)
    shutil.copyfile(args.base_tokenizer, base_tokenizer)
    with open(os.path.join(build, "bench.classpath"), "w") as f:
        f.write(args.bench_classpath)
    write_data(os.path.join(args.work, "data"))
    data.TRAIN_EXTRA_TIERS = TINY_TIERS
    bases.BASES = {"minilm": bases.BASES["minilm"]}
    ctx = Context(os.path.join(args.work, "data"), quick=True, build=build)
    reproduce.run_stages(ctx, STAGES)
    with open(ctx.path("ladder.json")) as f:
        ladder = json.load(f)
    shipped = {}
    for folder in ("default", "fp32", "fast"):
        with open(os.path.join(ctx.shipped_dir(folder), "config.json")) as f:
            config = json.load(f)
        shipped[folder] = {k: config[k] for k in ("model_name", "model_version", "precision", "metrics", "training", "explain")}
    with open(ctx.card_path()) as f:
        card_text = f.read()
    results = {name: json.load(open(ctx.path(f"{name}.json"))) for name in ("ablation", "curve", "teacher")}
    print(json.dumps({"ladder": ladder, "shipped": shipped, "card": card_text, **results}))


if __name__ == "__main__":
    main()
