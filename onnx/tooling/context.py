"""What every stage shares: the run's folders, the prepared data and its splits, saved runs, logging."""
import json
import os
import sys
import time

import numpy as np
import torch

import bases
import train
from bert import BertClassifier, BertEncoder

SEED = 42
MAX_LENGTH = 128
NUM_LABELS = 4


def log(*args, **kwargs):
    print(time.strftime("%H:%M:%S"), *args, **kwargs)
    sys.stdout.flush()


class Context:
    def __init__(self, data_dir=None, quick=False, build=None, baseline=None):
        self.root = bases.repo_root()
        self.data_dir = data_dir or os.path.join(self.root, "..", "shared", "data", "ag_news")
        self.build = build or os.path.join(self.root, "onnx", "build")
        self.quick = quick
        # The model folder the compare stage measures the shipped default against.
        self.baseline = baseline
        # A --quick run keeps its runs, models, ladder, shipped model and card apart from the real ones.
        self.results = os.path.join(self.build, "quick") if quick else self.build
        self.device = train.pick_device()
        self.autocast = train.pick_autocast(self.device)
        torch.set_num_threads(2)
        os.makedirs(self.build, exist_ok=True)

    def path(self, *parts):
        p = os.path.join(self.results, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def prepared_path(self):
        return os.path.join(self.build, "prepared.json")

    def prepared(self):
        if not hasattr(self, "_prepared"):
            with open(self.prepared_path()) as f:
                self._prepared = json.load(f)
        return self._prepared

    def shipped_dir(self, folder="default"):
        if self.quick:
            return self.path("shipped", folder)
        return os.path.join(self.root, "onnx", "models", folder)

    def card_path(self):
        return self.path("README.md") if self.quick else os.path.join(self.root, "onnx", "README.md")

    def train_rows(self):
        """Positions of the training rows in prepared.json (a handful in a --quick run)."""
        rows = self.prepared()["train_indices"]
        return rows[:256] if self.quick else rows

    def validation_rows(self):
        rows = self.prepared()["validation_indices"]
        return rows[:128] if self.quick else rows

    def test_rows(self):
        """Positions of the test rows (test_part): reported for every run, never trained or selected on."""
        rows = self.prepared()["test_indices"]
        return rows[:128] if self.quick else rows

    def split_tokens(self, base="minilm"):
        p = self.prepared()
        ids = p["token_ids"][base]
        tr, va = self.train_rows(), self.validation_rows()
        return ([ids[i] for i in tr], [p["labels"][i] for i in tr], [ids[i] for i in va], [p["labels"][i] for i in va])

    def test_tokens(self, base="minilm"):
        """Token ids and labels of the test rows."""
        p = self.prepared()
        rows = self.test_rows()
        return [p["token_ids"][base][i] for i in rows], [p["labels"][i] for i in rows]

    def test_title_tokens(self, base="minilm"):
        """The test rows' headlines alone: how a run reads an article that is a bare headline."""
        p = self.prepared()
        rows = p["test_title_indices"][:128] if self.quick else p["test_title_indices"]
        return [p["token_ids"][base][i] for i in rows], [p["labels"][i] for i in rows]

    def checkpoint(self, rung):
        """Where a training run keeps its resumable state (see train.fit)."""
        return self.path("runs", rung, "checkpoint.pt")

    def epochs(self, n):
        return 1 if self.quick else n

    def max_steps(self):
        return 8 if self.quick else None

    def save_run(self, rung, model, history, val_logits, val_labels, extra=None, base="minilm"):
        """Saves a finished run: its weights, validation logits and metrics, and its test metrics, which
        are computed here from the model (test rows are reported, never used to choose)."""
        m = train.classification_metrics(val_logits, val_labels)
        test_ids, test_labels = self.test_tokens(base or "minilm")
        test_logits = train.predict(model, test_ids, device=self.device)
        t = train.classification_metrics(test_logits, test_labels)
        title_ids, title_labels = self.test_title_tokens(base or "minilm")
        titles = train.classification_metrics(train.predict(model, title_ids, device=self.device), title_labels)
        run = {"rung": rung, "validation": m, "test": t, "test_title_only": titles, "history": history,
               **(extra or {})}
        with open(self.path("runs", rung, "run.json"), "w") as f:
            json.dump(run, f, indent=1)
        np.save(self.path("runs", rung, "val_logits.npy"), val_logits)
        np.save(self.path("runs", rung, "test_logits.npy"), test_logits)
        torch.save(model.state_dict(), self.path("runs", rung, "model.pt"))
        log(f"{rung}: validation accuracy {m['accuracy']:.4f} macro-F1 {m['macro_f1']:.4f}; "
            f"test accuracy {t['accuracy']:.4f} macro-F1 {t['macro_f1']:.4f}; titles alone {titles['accuracy']:.4f}")
        return run


def load_run(ctx, rung):
    path = ctx.path("runs", rung, "run.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def model_dir(ctx, rung):
    return os.path.join(ctx.results, "models", rung)


def encoder_classifier(ctx, key, recipe):
    """A classifier on the pretrained base, cut to recipe["layers"] layers when the recipe says so."""
    encoder = BertEncoder.from_onnx(bases.base_files(ctx.build, key)[0])
    if recipe.get("layers"):
        encoder.keep_bottom_layers(recipe["layers"])
    return BertClassifier(encoder, NUM_LABELS)


def scratch_model(vocab_size):
    """Rung (a): token + position embedding (32), one transformer block (2 heads, feed-forward 32),
    global average pooling, dense 20 + ReLU, dense 4."""
    encoder = BertEncoder(vocab_size, hidden=32, layers=1, heads=2, intermediate=32, max_positions=MAX_LENGTH)
    return BertClassifier(encoder, NUM_LABELS, dense_units=20)


def build_model(ctx, run):
    """The torch module of a finished run, with its trained weights."""
    if run["base"] is None:
        model = scratch_model(run["vocab_size"])
    else:
        model = encoder_classifier(ctx, run["base"], run["recipe"])
    model.load_state_dict(torch.load(ctx.path("runs", run["rung"], "model.pt"), map_location="cpu"))
    return model.eval()
