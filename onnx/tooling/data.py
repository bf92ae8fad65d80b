"""Reading the AG News files that are available here, and the fixed train/validation split."""
import csv
import gzip
import io
import os
import random

from text_rule import model_text

LABELS = ["World", "Sports", "Business", "Sci/Tech"]
TEST_PART = "test_part.csv.gz"
TRAIN_SAMPLE = "train_sample.csv.gz"


def _rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        # RFC 4180: newline="" keeps quoted line breaks inside their field.
        yield from csv.reader(io.TextIOWrapper(f, encoding="utf-8", newline=""))


def read_ag_news_csv(path):
    """Original ag_news_csv format: "class_index","title","description" with classes 1..4."""
    return [(model_text(title, description), int(label) - 1) for label, title, description in _rows(path)]


def read_hf_csv(path):
    """Hugging Face format: "text",label with labels 0..3; the text already joins title and description."""
    return [(model_text("", text), int(label)) for text, label in _rows(path)]


def load_examples(data_dir):
    """Both files, text rule applied, exact-duplicate texts removed (the first occurrence is kept).

    Returns (examples, stats) where examples is a list of (text, label).
    """
    raw = read_ag_news_csv(os.path.join(data_dir, TEST_PART)) + read_hf_csv(os.path.join(data_dir, TRAIN_SAMPLE))
    seen = set()
    examples = []
    for text, label in raw:
        if text and text not in seen:
            seen.add(text)
            examples.append((text, label))
    stats = {"rows_read": len(raw), "rows_after_dedup": len(examples), "duplicates_removed": len(raw) - len(examples)}
    return examples, stats


def stratified_split(labels, validation_fraction=0.1, seed=42):
    """Indices (train, validation): per class, a seeded shuffle and the first round(fraction*n) go to validation.

    Depends only on the label sequence and the seed, so the split is the same on every machine.
    """
    rng = random.Random(seed)
    train, validation = [], []
    for cls in sorted(set(labels)):
        members = [i for i, label in enumerate(labels) if label == cls]
        rng.shuffle(members)
        cut = round(len(members) * validation_fraction)
        validation.extend(members[:cut])
        train.extend(members[cut:])
    return sorted(train), sorted(validation)


def nested_stratified_subset(labels, fraction, seed=42):
    """Positions into `labels` of a stratified `fraction` of them: the part stratified_split would set
    aside. Its per-class order does not depend on the fraction, so every smaller fraction's rows are part
    of every larger one's, and a learning curve only ever adds rows."""
    return stratified_split(labels, fraction, seed)[1]
