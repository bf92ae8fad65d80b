"""Reading the AG News files that are available here, the protocol (train-split rows to train and
validate on, test_part to report), and the fixed splits."""
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


def read_headlines(path):
    """The title alone of each row of an ag_news_csv file, after the text rule ("" where it has none)."""
    return [model_text(title, "") for _, title, _ in _rows(path)]


def read_hf_csv(path):
    """Hugging Face format: "text",label with labels 0..3; the text already joins title and description."""
    return [(model_text("", text), int(label)) for text, label in _rows(path)]


TRAIN_EXTRA = "train_extra.csv.gz"

# train_extra.csv.gz is sorted best first (its README): each tier's name and row count, in file order.
TRAIN_EXTRA_TIERS = (("A", 45_373), ("B-split", 9_524), ("B-unsplit", 10_734), ("C", 8_632), ("D", 11_449))
SAMPLE_TIER = "sample"
# The rows whose text is exactly what the service reads (a title and a description in their original
# form): the validation split is carved from these alone, so model selection is judged on service-like
# input whichever tiers a run trains on.
FAITHFUL_TIERS = (SAMPLE_TIER, "A")
# The tiers whose title is the original headline, so that it can stand alone as a headline-only article.
TITLED_TIERS = ("A", "B-split")
# A headline-only copy of a training row is a row of its own, of this tier: its source's name and this.
TITLE_ONLY_SUFFIX = "+title-only"


def read_train_extra(path, tiers=None):
    """train_extra's rows as (text, label, tier), the tier from the row's place in the file. Tier B-unsplit
    has an empty title and tier C none at all: the text rule joins whatever fields are present. A file
    longer or shorter than the tiers say is refused: the tier boundaries would be wrong."""
    tiers = tiers or TRAIN_EXTRA_TIERS
    rows = read_ag_news_csv(path)
    expected = sum(count for _, count in tiers)
    if len(rows) != expected:
        raise ValueError(f"{path}: {len(rows)} rows, but its tiers add up to {expected}")
    names = [name for name, count in tiers for _ in range(count)]
    return [(text, label, tier) for (text, label), tier in zip(rows, names)]


def load_protocol(data_dir, tiers=None):
    """The literature's protocol on the files here: training rows from the train split only
    (train_sample + train_extra), test rows from test_part, which nothing trains or selects on.

    Exact-duplicate texts are removed (the first occurrence is kept, best tier first), and so is any
    training text equal to a test text. Returns (train, test, stats): train a list of (text, label,
    tier, headline), headline the row's title alone where its tier keeps the original one (TITLED_TIERS)
    and "" elsewhere; test a list of (text, label, headline).
    """
    test_path = os.path.join(data_dir, TEST_PART)
    test = [(t, label, headline) for (t, label), headline in zip(read_ag_news_csv(test_path), read_headlines(test_path))
            if t]
    test_texts = {t for t, _, _ in test}
    sample = [(t, label, SAMPLE_TIER, "") for t, label in read_hf_csv(os.path.join(data_dir, TRAIN_SAMPLE))]
    extra_path = os.path.join(data_dir, TRAIN_EXTRA)
    extra = [(t, label, tier, headline if tier in TITLED_TIERS else "")
             for (t, label, tier), headline in zip(read_train_extra(extra_path, tiers), read_headlines(extra_path))]
    seen = set()
    train = []
    dropped = {"empty": 0, "duplicate": 0, "equal_to_test_row": 0}
    for text, label, tier, headline in sample + extra:
        reason = ("empty" if not text else "duplicate" if text in seen
                  else "equal_to_test_row" if text in test_texts else None)
        if reason:
            dropped[reason] += 1
            continue
        seen.add(text)
        train.append((text, label, tier, headline))
    per_tier = {}
    for _, _, tier, _ in train:
        per_tier[tier] = per_tier.get(tier, 0) + 1
    stats = {"train_split_rows_read": len(sample) + len(extra), "train_rows_kept": len(train), "dropped": dropped,
             "rows_per_tier": per_tier, "test_rows": len(test)}
    return train, test, stats


def protocol_split(tiers_of_rows, labels, validation_fraction=0.06, seed=42):
    """Positions (train, validation) into the training rows: validation is a stratified
    validation_fraction of the FAITHFUL_TIERS rows (seeded, the same on every machine); every other
    row, of every tier, is a training row."""
    faithful = [i for i, tier in enumerate(tiers_of_rows) if tier in FAITHFUL_TIERS]
    _, held = stratified_split([labels[i] for i in faithful], validation_fraction, seed)
    validation = sorted(faithful[i] for i in held)
    held_set = set(validation)
    return [i for i in range(len(labels)) if i not in held_set], validation


def title_only_copies(train, positions, test, fraction, seed=42):
    """Headline-only copies of a stratified, seeded `fraction` of the training rows at `positions` whose
    tier keeps its original title, as new rows (headline, label, tier + TITLE_ONLY_SUFFIX).

    The service often reads an article that is a headline alone, which no training row looks like: these
    copies teach that form. Pass training positions only, never validation ones. A headline equal to a
    test row's headline or text, to a training text, or to an earlier copy is left out."""
    titled = [i for i in positions if train[i][3]]
    chosen = sorted(titled[i] for i in nested_stratified_subset([train[i][1] for i in titled], fraction, seed))
    taken = {text for text, _, _ in test} | {headline for _, _, headline in test} | {row[0] for row in train}
    copies = []
    for i in chosen:
        text, label, tier, headline = train[i]
        if headline in taken:
            continue
        taken.add(headline)
        copies.append((headline, label, tier + TITLE_ONLY_SUFFIX))
    return copies


def source_tier(tier):
    """The tier a row came from: a headline-only copy's source row's tier, else the tier itself."""
    return tier[: -len(TITLE_ONLY_SUFFIX)] if tier.endswith(TITLE_ONLY_SUFFIX) else tier


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
