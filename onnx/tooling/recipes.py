"""Training recipes, one stage each: the lesson's ladder (a) from scratch, (b) frozen encoder + head, (c)
full fine-tuning, the MiniLM variants tried on top of (c), the tier ablation and the learning curve."""
import json
import os
import time

import numpy as np
import torch

import bases
import data
import learning_curve
import train
from bert import BertClassifier, BertEncoder, MaskedLanguageModel, mean_pool
from context import NUM_LABELS, SEED, encoder_classifier, load_run, log, scratch_model
from tokenizer import WordPieceTokenizer

# Fine-tuning recipes (rung c). Learning rates measured on the first, 10k-row data: MiniLM-L6 best near
# 1e-4, bge-small near 5e-5; e5-small-v2, the other 12-layer base, gets bge-small's untuned. 2 epochs,
# linear decay to 0 at the end of the second; on ~87k rows that is ~5,500 steps of 32.
FINETUNE = {
    "minilm": {"lr": 1e-4, "epochs": 2},
    "bge": {"lr": 5e-5, "epochs": 2},
    "e5": {"lr": 5e-5, "epochs": 2},
}
# Rung (c) soup: MiniLM fine-tuned with the FINETUNE recipe once per seed, then the weights averaged
# (a uniform "model soup"): one model, as fast as any member, unlike an ensemble of logits. Every
# member starts from the same head initialisation (seed SEED) and differs only in batch order and
# dropout, the setting where averaged fine-tuned weights tend to stay in one basin. The SEED member is
# c-finetune-minilm itself. Three members, not more: the measured soup scored below its members.
SOUP = {"base": "minilm", "seeds": [SEED, 43, 44]}
# Rung (c) with R-Drop: the MiniLM recipe, each batch run twice under dropout, alpha 1 on the symmetric KL.
RDROP = {**FINETUNE["minilm"], "rdrop_alpha": 1.0}
# Rung (c) with layer-wise learning-rate decay: the head at 1.5e-4, each level below at 0.85x the one
# above (embeddings at ~0.48e-4), 3 epochs: the lower, pretrained layers move less, the top ones more.
LLRD = {"lr": 1.5e-4, "epochs": 3, "layer_lr_decay": 0.85}
# Rung (c) with a longer schedule at half the learning rate: 4 epochs at 5e-5 instead of 2 at 1e-4.
LONG = {"lr": 5e-5, "epochs": 4}
# Rung (c) with task-adaptive pretraining (TAPT): masked-language-model training of the MiniLM encoder on
# the training rows' texts (their labels unused, the validation rows never seen), then the plain MiniLM
# recipe from the adapted encoder. 3 MLM epochs at 1e-4 (an MLM epoch costs about one fine-tuning epoch),
# BERT's 15% masking; set before it first ran, not tuned.
TAPT = {**FINETUNE["minilm"], "mlm_epochs": 3, "mlm_lr": 1e-4, "mask_probability": 0.15}
# Learning curve: the plain MiniLM recipe on these nested stratified fractions of the training rows
# (c-finetune-minilm is the whole), to see what more labeled rows would buy. Same epochs at every size:
# the small runs also take fewer steps, which steepens the curve, so the rows it predicts for a target
# are on the low side.
CURVE_FRACTIONS = (0.25, 0.5)
# The test accuracy the default aims at; the curve says how many rows its recipe would need for it.
TARGET_ACCURACY = 0.94
# Tier ablation: the plain MiniLM recipe on train_sample plus these tiers of train_extra; the last
# point, every tier, is c-finetune-minilm itself.
ABLATION = {"ablation-a-minilm": ("A",), "ablation-ab-minilm": ("A", "B-split", "B-unsplit")}


def finetune(ctx, key, rung, teacher_logits=None, recipe=None, seed=SEED, pretrained=None, train_subset=None):
    """seed drives batch order and dropout; the head is always initialised from SEED. pretrained: an
    encoder state dict to start from instead of the base's, with the history that made it. train_subset:
    positions of the training rows to train on (all of them when None). The run resumes from its
    checkpoint if an earlier one was interrupted."""
    recipe = recipe or FINETUNE[key]
    train.set_seed(SEED)
    tr_ids, tr_y, va_ids, va_y = ctx.split_tokens(key)
    if train_subset is not None:
        tr_ids, tr_y = [tr_ids[i] for i in train_subset], [tr_y[i] for i in train_subset]
        if teacher_logits is not None:
            teacher_logits = teacher_logits[train_subset]
    model = encoder_classifier(ctx, key, recipe)
    if pretrained is not None:
        model.encoder.load_state_dict(pretrained["encoder_state"])
    model = model.to(ctx.device)
    history = train.fit(model, tr_ids, tr_y, epochs=ctx.epochs(recipe["epochs"]), lr=recipe["lr"], seed=seed,
                        label=rung, device=ctx.device, val_ids=va_ids, val_labels=va_y, max_steps=ctx.max_steps(),
                        teacher_logits=teacher_logits, distill_alpha=recipe.get("alpha", 0.5),
                        temperature=recipe.get("temperature", 2.0), rdrop_alpha=recipe.get("rdrop_alpha", 0.0),
                        layer_lr_decay=recipe.get("layer_lr_decay"), autocast=ctx.autocast,
                        checkpoint=ctx.checkpoint(rung), log=log)
    if pretrained is not None:
        history["pretraining"] = pretrained["history"]
        history["train_seconds"] += pretrained["history"]["train_seconds"]
    val_logits = train.predict(model, va_ids, device=ctx.device)
    run = ctx.save_run(rung, model, history, val_logits, va_y,
                       {"base": key, "train_rows": len(tr_ids),
                        "recipe": {**recipe, "batch_size": 32, "warmup_fraction": 0.1, "dropout": 0.1,
                                   "optimizer": "AdamW", "seed": seed, "autocast": str(ctx.autocast)}},
                       base=key)
    os.remove(ctx.checkpoint(rung))
    return run


def trained_or_train(ctx, rung, train_it):
    """The saved run of rung, or train_it()'s when there is none yet (long runs are not repeated)."""
    run = load_run(ctx, rung)
    if run is not None:
        log(f"{rung}: already trained, reused")
        return run
    return train_it()


def stage_finetune_minilm(ctx):
    finetune(ctx, "minilm", "c-finetune-minilm")


def stage_finetune_bge(ctx):
    finetune(ctx, "bge", "c-finetune-bge")


def stage_finetune_e5(ctx):
    finetune(ctx, "e5", "c-finetune-e5")


def stage_rdrop(ctx):
    finetune(ctx, "minilm", "c-rdrop-minilm", recipe=RDROP)


def stage_llrd(ctx):
    finetune(ctx, "minilm", "c-llrd-minilm", recipe=LLRD)


def stage_long(ctx):
    finetune(ctx, "minilm", "c-long-minilm", recipe=LONG)


def stage_tapt(ctx):
    key = "minilm"
    tr_ids = ctx.split_tokens(key)[0]
    tokenizer = WordPieceTokenizer(bases.base_files(ctx.build, key)[1])
    train.set_seed(SEED)
    encoder = BertEncoder.from_onnx(bases.base_files(ctx.build, key)[0])
    mlm = MaskedLanguageModel(encoder).to(ctx.device)
    history = train.fit_mlm(mlm, tr_ids, epochs=ctx.epochs(TAPT["mlm_epochs"]), lr=TAPT["mlm_lr"],
                            special_ids=[tokenizer.vocab["[PAD]"], tokenizer.cls_id, tokenizer.sep_id],
                            mask_id=tokenizer.vocab["[MASK]"], probability=TAPT["mask_probability"], seed=SEED,
                            label="c-tapt-minilm mlm", device=ctx.device, max_steps=ctx.max_steps(), log=log)
    state = {name: t.detach().cpu() for name, t in encoder.state_dict().items()}
    finetune(ctx, key, "c-tapt-minilm", recipe=TAPT, pretrained={"encoder_state": state, "history": history})


def stage_scratch(ctx):
    train.set_seed(SEED)
    tr_ids, tr_y, va_ids, va_y = ctx.split_tokens("minilm")
    vocab_size = len(WordPieceTokenizer(bases.base_files(ctx.build, "minilm")[1]).vocab)
    model = scratch_model(vocab_size).to(ctx.device)
    recipe = {"epochs": 4, "lr": 2e-3, "batch_size": 32, "warmup_fraction": 0.1, "optimizer": "AdamW",
              "dropout": 0.1, "seed": SEED}
    history = train.fit(model, tr_ids, tr_y, epochs=ctx.epochs(recipe["epochs"]), lr=recipe["lr"], seed=SEED,
                        label="a-scratch", device=ctx.device, val_ids=va_ids, val_labels=va_y,
                        max_steps=ctx.max_steps(), checkpoint=ctx.checkpoint("a-scratch"), log=log)
    ctx.save_run("a-scratch", model, history, train.predict(model, va_ids, device=ctx.device), va_y,
                 {"base": None, "vocab_size": vocab_size, "recipe": recipe, "train_rows": len(tr_ids)})
    os.remove(ctx.checkpoint("a-scratch"))


class PooledEncoder(torch.nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, ids, mask):
        return mean_pool(self.encoder(ids, mask), mask)


def stage_frozen(ctx):
    """Rung (b): the pretrained MiniLM frozen; its pooled features are computed once and only a new
    linear head is trained on them. Exported as encoder + head in one ONNX."""
    train.set_seed(SEED)
    tr_ids, tr_y, va_ids, va_y = ctx.split_tokens("minilm")
    model = BertClassifier(BertEncoder.from_onnx(bases.base_files(ctx.build, "minilm")[0]), NUM_LABELS)
    started = time.time()
    pooled = PooledEncoder(model.encoder).to(ctx.device)
    tr_x = torch.tensor(train.predict(pooled, tr_ids, device=ctx.device))
    va_x = torch.tensor(train.predict(pooled, va_ids, device=ctx.device))
    log(f"b-frozen-minilm: features cached in {time.time() - started:.0f}s")
    recipe = {"epochs": 40, "lr": 3e-3, "batch_size": 32, "optimizer": "AdamW", "dropout": 0.1, "seed": SEED,
              "features": "mean-pooled last hidden state, computed once"}
    head = torch.nn.Sequential(torch.nn.Dropout(0.1), model.head)
    opt = torch.optim.AdamW(head.parameters(), lr=recipe["lr"])
    y = torch.tensor(tr_y)
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(ctx.epochs(recipe["epochs"])):
        head.train()
        for batch in torch.randperm(len(y), generator=gen).split(recipe["batch_size"]):
            loss = torch.nn.functional.cross_entropy(head(tr_x[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
    head.eval()
    with torch.no_grad():
        val_logits = model.head(va_x).numpy()
    history = {"train_seconds": time.time() - started, "epochs": [], "steps": None}
    ctx.save_run("b-frozen-minilm", model, history, val_logits, va_y,
                 {"base": "minilm", "recipe": recipe, "train_rows": len(tr_ids)})


def soup_member(ctx, seed):
    """The run of one soup member, trained unless already on disk; the SEED member is c-finetune-minilm."""
    rung = "c-finetune-minilm" if seed == SEED else f"c-soup-minilm/seed-{seed}"
    return trained_or_train(ctx, rung, lambda: finetune(ctx, SOUP["base"], rung, seed=seed))


def stage_soup(ctx):
    key = SOUP["base"]
    _, _, va_ids, va_y = ctx.split_tokens(key)
    states, member_logits, members = [], [], []
    for seed in SOUP["seeds"]:
        run = soup_member(ctx, seed)
        states.append(torch.load(ctx.path("runs", run["rung"], "model.pt"), map_location="cpu"))
        member_logits.append(np.load(ctx.path("runs", run["rung"], "val_logits.npy")))
        members.append({"seed": seed, "accuracy": run["validation"]["accuracy"],
                        "macro_f1": run["validation"]["macro_f1"], "train_seconds": run["history"]["train_seconds"]})
        log(f"soup: member seed {seed} validation accuracy {run['validation']['accuracy']:.4f}")
    model = BertClassifier(BertEncoder.from_onnx(bases.base_files(ctx.build, key)[0]), NUM_LABELS)
    model.load_state_dict(train.average_state_dicts(states))
    model = model.to(ctx.device)
    val_logits = train.predict(model, va_ids, device=ctx.device)
    ensemble = train.classification_metrics(np.mean(member_logits, 0), va_y)
    history = {"train_seconds": sum(m["train_seconds"] for m in members), "epochs": [], "steps": None,
               "members": members, "logit_ensemble_accuracy": ensemble["accuracy"]}
    log(f"soup: logit ensemble of the members (for comparison, not shipped) accuracy {ensemble['accuracy']:.4f}")
    ctx.save_run("c-soup-minilm", model, history, val_logits, va_y,
                 {"base": key, "recipe": {**FINETUNE[key], "seeds": SOUP["seeds"], "batch_size": 32,
                                          "warmup_fraction": 0.1, "dropout": 0.1, "optimizer": "AdamW",
                                          "seed": SEED, "averaging": "uniform mean of the members' weights"}})


def curve_rung(fraction):
    return f"curve-minilm-{round(100 * fraction)}"


def point(run):
    """One run as a point of the curve or the ablation: its rows, test and validation figures, time."""
    return {"rung": run["rung"], "train_rows": run["train_rows"], "test_accuracy": run["test"]["accuracy"],
            "test_macro_f1": run["test"]["macro_f1"], "validation_accuracy": run["validation"]["accuracy"],
            "train_seconds": run["history"]["train_seconds"]}


def full_run(ctx, stage):
    full = load_run(ctx, "c-finetune-minilm")
    if full is None:
        raise SystemExit(f"the {stage}'s last point is c-finetune-minilm: run --stages finetune-minilm first")
    return full


def stage_curve(ctx):
    """The learning curve: the MiniLM recipe on nested stratified fractions of the training rows, each
    reported on the test rows; c-finetune-minilm is the point with every row. A power law of the test
    error through the points says what more rows would buy and how many the target would take."""
    full = full_run(ctx, "curve")
    train_labels = ctx.split_tokens()[1]
    points = []
    for fraction in CURVE_FRACTIONS:
        subset = data.nested_stratified_subset(train_labels, fraction, SEED)
        rung = curve_rung(fraction)
        points.append(point(trained_or_train(ctx, rung, lambda: finetune(ctx, "minilm", rung, train_subset=subset))))
    points.append(point(full))
    fit = learning_curve.power_law_fit([p["train_rows"] for p in points], [p["test_accuracy"] for p in points])
    target_rows = learning_curve.rows_for_accuracy(fit, TARGET_ACCURACY)
    curve = {"base": "minilm", "recipe": FINETUNE["minilm"], "test_rows": len(ctx.test_tokens()[1]),
             "points": points, "fit": fit, "target_accuracy": TARGET_ACCURACY,
             "rows_for_target": None if target_rows is None else round(target_rows)}
    with open(ctx.path("curve.json"), "w") as f:
        json.dump(curve, f, indent=1)
    reach = ("no row count" if target_rows is None else f"about {curve['rows_for_target']:,} training rows")
    log(f"curve: error x{fit['error_per_doubling']:.3f} per doubling of the rows; {TARGET_ACCURACY:.0%} at {reach}")


def ablation_subset(ctx, tiers):
    """Positions into the training rows of train_sample's rows and those of the given train_extra tiers,
    with the headline-only copies of those tiers' rows."""
    p = ctx.prepared()
    keep = {data.SAMPLE_TIER, *tiers}
    return [i for i, row in enumerate(ctx.train_rows()) if data.source_tier(p["tiers"][row]) in keep]


def stage_ablation(ctx):
    """Which rows help: the MiniLM recipe on train_sample plus tier A, plus tiers A and B, and (the full
    run) every tier, each reported on the test rows. Validation is the same for all: rows of
    train_sample and tier A in their original form."""
    full = full_run(ctx, "ablation")
    points = []
    for rung, tiers in ABLATION.items():
        subset = ablation_subset(ctx, tiers)
        run = trained_or_train(ctx, rung, lambda: finetune(ctx, "minilm", rung, train_subset=subset))
        points.append({**point(run), "tiers": [data.SAMPLE_TIER, *tiers]})
    points.append({**point(full), "tiers": [data.SAMPLE_TIER, *(name for name, _ in data.TRAIN_EXTRA_TIERS)]})
    with open(ctx.path("ablation.json"), "w") as f:
        json.dump({"base": "minilm", "recipe": FINETUNE["minilm"], "points": points}, f, indent=1)
    for p in points:
        log(f"ablation {'+'.join(p['tiers'])}: {p['train_rows']:,} rows, test {p['test_accuracy']:.4f}")
