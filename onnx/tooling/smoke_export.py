"""Tiny end-to-end run of the export path for the Java ExportSmokeTest: a small randomly
initialised BERT trained for a few steps on the given texts, exported like the real models, plus
the torch logits of two check batches of different batch size and length.

    /usr/bin/python3 onnx/tooling/smoke_export.py --tokenizer tokenizer.json --input texts.json --out-dir DIR

texts.json: {"texts": [...], "labels": [...]}. Writes DIR/model.onnx, tokenizer.json, config.json
and check.json ({"batches": [{"input_ids", "attention_mask", "logits"}, ...]}).
"""
import argparse
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402
from bert import BertClassifier, BertEncoder  # noqa: E402
from export import export_onnx  # noqa: E402
from model_config import build_config, write_config  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402

MAX_LENGTH = 16
STEPS = 4


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    torch.set_num_threads(2)
    train.set_seed(42)
    with open(args.input) as f:
        sample = json.load(f)
    tok = WordPieceTokenizer(args.tokenizer)
    ids = [tok.encode(t, MAX_LENGTH) for t in sample["texts"]]
    encoder = BertEncoder(len(tok.vocab), hidden=16, layers=2, heads=2, intermediate=32, max_positions=MAX_LENGTH)
    model = BertClassifier(encoder, 4)
    history = train.fit(model, ids, sample["labels"], epochs=1, lr=1e-3, batch_size=4, max_steps=STEPS,
                        label="smoke")
    os.makedirs(args.out_dir, exist_ok=True)
    model_path = os.path.join(args.out_dir, "model.onnx")
    export_onnx(model, model_path)
    shutil.copyfile(args.tokenizer, os.path.join(args.out_dir, "tokenizer.json"))
    config = build_config(
        model_path=model_path, model_name="news-classifier-smoke", max_length=MAX_LENGTH, precision="fp32",
        base_model={"name": "none (random init, smoke test)", "package": "", "license": "n/a"},
        data={"description": "inline smoke-test texts", "train_rows": len(ids), "validation_rows": 0, "split": "none"},
        metrics={"validation_accuracy": 0.0, "validation_macro_f1": 0.0, "confusion_matrix": [[0] * 4] * 4},
        training={"recipe": "smoke", "epochs": 1, "lr": 1e-3, "batch_size": 4, "seed": 42,
                  "train_seconds": history["train_seconds"]})
    write_config(os.path.join(args.out_dir, "config.json"), config)
    model.eval()
    batches = []
    # Two shapes: all texts (padded to the longest), then the first two truncated to 5 tokens' length.
    for rows in (list(range(len(ids))), [0, 1]):
        seqs = [ids[i] for i in rows]
        if len(rows) == 2:
            seqs = [s[:5] for s in seqs]
        input_ids, mask = train.collate(seqs, list(range(len(seqs))))
        with torch.no_grad():
            logits = model(input_ids, mask)
        batches.append({"input_ids": input_ids.tolist(), "attention_mask": mask.tolist(), "logits": logits.tolist()})
    with open(os.path.join(args.out_dir, "check.json"), "w") as f:
        json.dump({"batches": batches}, f)


if __name__ == "__main__":
    main()
