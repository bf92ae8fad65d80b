"""The inputs every rung shares: the bases from Maven Central, the rows of the protocol with their token
ids, and the checks that the tooling reads text and weights exactly as the service does."""
import json

import numpy as np
import torch

import bases
import data
from benchmarks import base_bench_dir, java_bench
from bert import BertEncoder
from context import MAX_LENGTH, SEED, log
from tokenizer import WordPieceTokenizer

# The validation split: this fraction of the training rows in their original form (data.FAITHFUL_TIERS),
# stratified, seed SEED; about 3,000 rows.
VALIDATION_FRACTION = 0.06
# Headline-only copies (data.title_only_copies) of this fraction of the training rows that have a title:
# without them the model read the test rows' headlines alone at 78% (2026-12-03), as no training row
# looked like a headline with no description.
TITLE_ONLY_FRACTION = 0.25
PARITY_TEXTS = 8
PARITY_TOLERANCE = 1e-4


def stage_fetch(ctx):
    bases.fetch_bases(ctx.build, log)
    bases.fetch_bench_classpath(ctx.build, log)


def stage_prepare(ctx):
    """prepared.json: every text (training rows, their headline-only copies, the test rows, then the test
    rows' headlines alone) after the text rule, its label and tier, the split, and each base's token ids
    (cut to MAX_LENGTH, keeping the final [SEP])."""
    train_rows, test_rows, stats = data.load_protocol(ctx.data_dir)
    train_idx, val_idx = data.protocol_split([tier for _, _, tier, _ in train_rows],
                                             [label for _, label, _, _ in train_rows], VALIDATION_FRACTION, SEED)
    copies = data.title_only_copies(train_rows, train_idx, test_rows, TITLE_ONLY_FRACTION, SEED)
    rows = [(t, label, tier) for t, label, tier, _ in train_rows] + copies
    train_idx += list(range(len(train_rows), len(rows)))
    texts = [t for t, _, _ in rows] + [t for t, _, _ in test_rows]
    labels = [label for _, label, _ in rows] + [label for _, label, _ in test_rows]
    tiers = [tier for _, _, tier in rows] + ["test"] * len(test_rows)
    # Every test row's title alone too: how the model reads a bare headline is reported for each run.
    headline_idx = list(range(len(texts), len(texts) + len(test_rows)))
    texts += [headline for _, _, headline in test_rows]
    labels += [label for _, label, _ in test_rows]
    tiers += ["test-title-only"] * len(test_rows)
    test_idx = list(range(len(rows), len(rows) + len(test_rows)))
    stats["title_only_copies"] = len(copies)
    token_ids = {}
    for key in bases.BASES:
        tok = WordPieceTokenizer(bases.base_files(ctx.build, key)[1])
        full = [tok.encode(t, 10**6) for t in texts]
        if key == "minilm":
            lengths = np.array([len(full[i]) for i in train_idx + val_idx + test_idx])
        token_ids[key] = [ids if len(ids) <= MAX_LENGTH else ids[: MAX_LENGTH - 1] + ids[-1:] for ids in full]
    stats.update(train_rows=len(train_idx), validation_rows=len(val_idx),
                 token_length={"mean": float(lengths.mean()), "p50": int(np.percentile(lengths, 50)),
                               "p95": int(np.percentile(lengths, 95)), "p99": int(np.percentile(lengths, 99)),
                               "max": int(lengths.max()), "over_max_length": int((lengths > MAX_LENGTH).sum())})
    with open(ctx.prepared_path(), "w") as f:
        json.dump({"texts": texts, "labels": labels, "tiers": tiers, "train_indices": train_idx,
                   "validation_indices": val_idx, "test_indices": test_idx, "test_title_indices": headline_idx,
                   "token_ids": token_ids,
                   "stats": stats}, f)
    log("prepared:", json.dumps(stats))


def stage_tokcheck(ctx):
    """DJL's HuggingFaceTokenizer must give exactly the ids the tooling trained on, for every text."""
    p = ctx.prepared()
    path = ctx.path("all_texts.json")
    with open(path, "w") as f:
        json.dump({"texts": p["texts"]}, f)
    for key in bases.BASES:
        djl = java_bench(ctx, base_bench_dir(ctx, key), path, ctx.path(f"djl_tokens_{key}.json"),
                         mode="tokens")["token_ids"]
        mismatches = [i for i, (a, b) in enumerate(zip(djl, p["token_ids"][key])) if a != b]
        log(f"tokcheck {key}: {len(djl)} texts, {len(mismatches)} differ from DJL")
        if mismatches or len(djl) != len(p["texts"]):
            raise SystemExit(f"tokenizer differs from DJL on rows {mismatches[:10]}")


def stage_parity(ctx):
    """Each base rebuilt in torch (bert.py) must give ONNX Runtime's last hidden state on the original
    file, on a padded batch of real texts: training starts from exactly the published encoder."""
    p = ctx.prepared()
    path = ctx.path("parity_texts.json")
    with open(path, "w") as f:
        json.dump({"texts": [p["texts"][i] for i in p["validation_indices"][:PARITY_TEXTS]]}, f)
    diffs = {}
    for key in bases.BASES:
        ort = java_bench(ctx, base_bench_dir(ctx, key), path, ctx.path(f"parity_{key}.json"), mode="hidden")
        mask = torch.tensor(ort["attention_mask"])
        encoder = BertEncoder.from_onnx(bases.base_files(ctx.build, key)[0]).eval()
        with torch.no_grad():
            hidden = encoder(torch.tensor(ort["input_ids"]), mask)
        real = mask.bool()
        diff = (hidden[real] - torch.tensor(ort["last_hidden_state"])[real]).abs().max().item()
        log(f"parity {key}: max abs diff {diff:.2e} on {int(real.sum())} real tokens of a padded batch "
            f"of {len(mask)} x {mask.shape[1]}")
        if real.all():
            raise SystemExit(f"parity {key}: the batch has no padding, so padding is not tested")
        if diff > PARITY_TOLERANCE:
            raise SystemExit(f"parity {key}: max abs diff {diff:.2e} over {PARITY_TOLERANCE}")
        diffs[key] = diff
    with open(ctx.path("parity.json"), "w") as f:
        json.dump(diffs, f)
