"""onnx/README.md, the model card, rendered from the run's results (ladder.json, run.json of each rung,
teacher.json, ablation.json, curve.json, stage_seconds.json) into model_card_template.md."""
import json
import os
import string

import data
import learning_curve
from benchmarks import (CEILING_PASSES, CEILING_ROWS, SERVED, TIMED_PASSES, TIMED_TEXTS, cpu_description,
                        load_ladder)
from context import MAX_LENGTH, load_run, log
from distillation import DISTILL, SHIPPED_TEACHER, STUDENTS, load_teacher
from packaging import CALIBRATION_ROWS, INT8_TOLERANCE
from recipes import ABLATION, CURVE_FRACTIONS
from rungs import FAST_FOLDER, FP32_FOLDER, STAGES_OF, TITLES, lr_text, source_of

# The full AG News train split, the size published results train on.
FULL_TRAIN_ROWS = 120_000
TIER_NAMES = {data.SAMPLE_TIER: "train_sample", "A": "A", "B-split": "B split", "B-unsplit": "B unsplit", "C": "C",
              "D": "D"}


def pct(x):
    return f"{100 * x:.2f}%"


def markdown_matrix(cm):
    head = "| true \\ predicted | " + " | ".join(data.LABELS) + " |\n| --- |" + " --- |" * len(data.LABELS)
    rows = ["| " + data.LABELS[i] + " | " + " | ".join(str(v) for v in row) + " |" for i, row in enumerate(cm)]
    return "\n".join([head] + rows)


def served_speed(rung):
    """The SERVED bench's articles/s of a ladder entry; ladders benched before it existed lack it."""
    return f"{rung['served']['articles_per_second']:.0f}" if "served" in rung else "n/a"


def shipped_config(ctx, folder):
    path = os.path.join(ctx.shipped_dir(folder), "config.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def recipe_text(recipe):
    return f"{recipe['epochs']} ep, lr {lr_text(recipe['lr'])}" if recipe.get("epochs") else ""


def ladder_table(ctx, rungs, marks):
    rows = ["| rung | test accuracy | test macro-F1 | validation accuracy | size (MB) | articles/s padded | "
            "articles/s as served | training rows | train time |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for rung, r in rungs.items():
        train_time = f"{r['train_seconds'] / 60:.0f} min"
        if rung.startswith("d-"):
            train_time += f" + {load_run(ctx, rung)['quantize_seconds']:.0f} s"
        title = f"{TITLES[rung]}{marks.get(rung, '')} ({recipe_text(r['recipe'])})"
        rows.append(f"| {title} | {pct(r['test_accuracy'])} | {pct(r['test_macro_f1'])} | "
                    f"{pct(r['validation_accuracy'])} | {r['size_mb']:.1f} | {r['articles_per_second']:.0f} | "
                    f"{served_speed(r)} | {r['train_rows'] or 0:,} | {train_time} |")
    return "\n".join(rows)


def missing_note(rungs):
    """The ladder's rungs this run did not train, and the stages that would."""
    ladder = ("a-scratch", "b-frozen-minilm", "c-finetune-minilm", "c-finetune-bge", "c-finetune-e5",
              "c-distill-minilm", *STUDENTS)
    missing = [r for r in ladder if r not in rungs]
    if not missing:
        return "Every rung of the lesson's ladder ran for this card."
    stages = ",".join(dict.fromkeys(s for r in missing for s in STAGES_OF[r].split(",")))
    return ("Not run for this card (CPU time): " + "; ".join(TITLES[r] for r in missing)
            + f". `reproduce.py --stages {stages},export,quantize,bench,ship,card` runs them.")


def teacher_note(ctx):
    teacher = load_teacher(ctx)
    if teacher is None:
        return "No distillation teacher was computed for this card (`--stages teacher`)."
    who = ("the shipped fp32 model (`onnx/models/fp32`, scored through ONNX Runtime)"
           if teacher["members"] == [SHIPPED_TEACHER] else f"the mean logits of {', '.join(teacher['members'])} (torch)")
    return (f"The distillation teacher is {who}: "
            f"{pct(teacher['test']['accuracy'])} on test, {pct(teacher['validation']['accuracy'])} on validation. Its soft labels on the training rows, at temperature {DISTILL['temperature']:g} and weight "
            f"{DISTILL['alpha']} beside the true labels, train the distilled rungs. A teacher trained on the very "
            "rows it labels is more confident there than on unseen text, which limits what it can pass on.")


def ablation_note(ctx):
    path = ctx.path("ablation.json")
    if not os.path.exists(path):
        return ("Not run for this card: `reproduce.py --stages ablation` trains the MiniLM recipe on train_sample "
                "+ tier A and on train_sample + tiers A and B, and compares them on test with the full run "
                "(every tier).")
    with open(path) as f:
        ablation = json.load(f)
    rows = ["| training rows from | rows | test accuracy | test macro-F1 | validation accuracy | train time |",
            "| --- | --- | --- | --- | --- | --- |"]
    for p in ablation["points"]:
        rows.append(f"| {' + '.join(TIER_NAMES[t] for t in p['tiers'])} | {p['train_rows']:,} | "
                    f"{pct(p['test_accuracy'])} | {pct(p['test_macro_f1'])} | {pct(p['validation_accuracy'])} | "
                    f"{p['train_seconds'] / 60:.0f} min |")
    return "\n".join(rows)


def curve_note(ctx):
    """The learning curve's points and the training rows its power law predicts for the accuracy target."""
    path = ctx.path("curve.json")
    if not os.path.exists(path):
        return ("Not run for this card: `reproduce.py --stages curve` trains the MiniLM recipe on nested "
                f"stratified {' and '.join(f'{round(100 * f)}%' for f in CURVE_FRACTIONS)} of the training rows.")
    with open(path) as f:
        curve = json.load(f)
    fit = curve["fit"]
    points = "; ".join(f"{p['train_rows']:,} rows {pct(p['test_accuracy'])} ({p['train_seconds'] / 60:.0f} min)"
                       for p in curve["points"])
    note = (f"The MiniLM recipe ({recipe_text(curve['recipe'])}) on nested stratified fractions of the training "
            f"rows, each reported on the {curve['test_rows']:,} test rows (torch): {points}. A power law through "
            f"these points multiplies the error by {fit['error_per_doubling']:.3f} for every doubling of the rows")
    have = curve["points"][-1]["train_rows"]
    if curve["rows_for_target"] is None:
        return note + (f"; the error did not fall with more rows, so it predicts no row count for "
                       f"{pct(curve['target_accuracy'])}.")
    return (note + f" and reaches {pct(curve['target_accuracy'])} at about {curve['rows_for_target']:,} training rows "
            f"({curve['rows_for_target'] / have:.1f}x the {have:,} here); at the full train split's "
            f"{FULL_TRAIN_ROWS:,} rows it predicts {pct(learning_curve.predicted_accuracy(fit, FULL_TRAIN_ROWS))}. "
            "Each point is one run; the smaller runs also take fewer steps, which steepens the curve.")


def variant_row(label, config, entry):
    if config is None or entry is None:
        return None
    return (f"| `{label}` | {config['model_name']} {config['model_version']}, {config['precision']} | "
            f"{TITLES[entry['rung']]} | **{pct(entry['test_accuracy'])}** | {pct(entry['test_macro_f1'])} | "
            f"{pct(entry['validation_accuracy'])} | **{served_speed(entry)}** | {entry['articles_per_second']:.0f} | "
            f"{entry['size_mb']:.1f} |")


def compare_note(ctx):
    """The shipped default's speed against the baseline folder of the compare stage, if it ran."""
    path = ctx.path("compare.json")
    if not os.path.exists(path):
        return ("Its speed against the default it replaces was not compared for this card "
                "(`reproduce.py --stages compare --baseline DIR`).")
    with open(path) as f:
        compare = json.load(f)
    figures, ratios = compare["figures"], compare["ratios"]

    def runs(name, measure):
        return " and ".join(f"{v:.0f}" for v in figures[name][measure])

    return (f"Against the default it replaces ({figures['baseline']['model']}), measured in turn "
            f"{compare['rounds']} times each on {compare['machine']} (`reproduce.py --stages compare --baseline DIR`): "
            f"as served (OrtBench, test texts) {runs('default', 'served')} against {runs('baseline', 'served')} "
            f"articles/s, **ratio {ratios['served']:.2f}**; the service's `benchmark` model only "
            f"{runs('default', 'model_only')} against {runs('baseline', 'model_only')} (ratio "
            f"{ratios['model_only']:.2f}), through Kafka {runs('default', 'through_kafka')} against "
            f"{runs('baseline', 'through_kafka')} (ratio {ratios['through_kafka']:.2f}); ratios of the medians. The "
            "spread between one folder's own runs shows how much of a ratio the shared host's load alone can make.")


def stage_times(ctx):
    path = ctx.path("stage_seconds.json")
    times = json.load(open(path)) if os.path.exists(path) else {}
    rows = ["| stage | wall clock | device | finished |", "| --- | --- | --- | --- |"]
    rows += [f"| {k} | {v['seconds'] / 60:.1f} min | {v['device']} | {v['finished']} |"
             for k, v in times.items() if not v["quick"]]
    return "\n".join(rows)


def titles_note(ctx, default):
    """How the default's fp32 source reads the test rows' headlines alone (torch; run.json)."""
    titles = load_run(ctx, source_of(default["rung"])).get("test_title_only")
    if titles is None:
        return "not measured by this run."
    return (f"{pct(titles['accuracy'])} of the test rows read from their title alone (fp32 source, torch), against "
            f"{pct(default['test_accuracy'])} with title and description: what a headline-only article can expect.")


def stage_card(ctx):
    ladder = load_ladder(ctx)
    rungs = {r["rung"]: r for r in ladder["rungs"]}
    shipped = shipped_config(ctx, "default")
    default = rungs[shipped["training"]["rung"]]
    reference = rungs[source_of(default["rung"])]
    fast_config = shipped_config(ctx, FAST_FOLDER)
    fast = rungs.get(fast_config["training"]["rung"]) if fast_config else None
    fp32_config = shipped_config(ctx, FP32_FOLDER)
    marks = {default["rung"]: " **(default)**", reference["rung"]: f" **(`{FP32_FOLDER}`)**"}
    if fast:
        marks[fast["rung"]] = f" **(`{FAST_FOLDER}`)**"
    variants = [variant_row("default", shipped, default), variant_row(FAST_FOLDER, fast_config, fast),
                variant_row(FP32_FOLDER, fp32_config, reference)]
    stats = ctx.prepared()["stats"]
    tl = stats["token_length"]
    kept = stats["train_rows_kept"] + stats["test_rows"]
    values = {
        "default_summary": f"{TITLES[default['rung']]}, version {shipped['model_version']}",
        "default_test": pct(default["test_accuracy"]),
        "default_test_f1": pct(default["test_macro_f1"]),
        "default_validation": pct(default["validation_accuracy"]),
        "default_served": served_speed(default),
        "int8_delta": f"{100 * (default['test_accuracy'] - reference['test_accuracy']):+.2f}",
        "variants_table": "\n".join(v for v in variants if v),
        "fast_note": ("" if fast else "The `fast` folder was not rebuilt by this run: it still holds a model trained "
                                      "on the earlier 10k-row data, whose training rows included test_part, so "
                                      "it has no test figure here. "),
        "test_rows": f"{ladder['test_rows']:,}", "validation_rows": f"{ladder['validation_rows']:,}",
        "train_rows": f"{default['train_rows'] - stats.get('title_only_copies', 0):,}",
        "title_copies": f"{stats.get('title_only_copies', 0):,}", "titles_note": titles_note(ctx, default),
        "rows_per_tier": ", ".join(f"{TIER_NAMES[t]} {n:,}" for t, n in stats["rows_per_tier"].items()),
        "dropped": ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in stats["dropped"].items()),
        "bench_cpu": ladder.get("machine", cpu_description()),
        "default_cm": markdown_matrix(default["test_confusion_matrix"]),
        "ladder_table": ladder_table(ctx, rungs, marks), "missing_note": missing_note(rungs),
        "teacher_note": teacher_note(ctx), "ablation_note": ablation_note(ctx),
        "ablation_runs": "; ".join(f"`{r}`: train_sample + {' + '.join(t)}" for r, t in ABLATION.items()),
        "curve_note": curve_note(ctx), "stage_times": stage_times(ctx), "compare_note": compare_note(ctx),
        "max_length": str(MAX_LENGTH), "tok_mean": f"{tl['mean']:.1f}", "tok_p95": str(tl["p95"]),
        "tok_over": f"{tl['over_max_length']:,}", "rows_total": f"{kept:,}",
        "served_chunk_size": str(SERVED["chunk_size"]), "served_concurrent_chunks": str(SERVED["concurrent_chunks"]),
        "timed_texts": str(TIMED_TEXTS), "timed_passes": str(TIMED_PASSES),
        "calibration_rows": f"{CALIBRATION_ROWS:,}", "int8_tolerance": f"{100 * INT8_TOLERANCE:.1f}",
        "ceiling_rows": str(CEILING_ROWS), "ceiling_passes": str(CEILING_PASSES),
    }
    with open(os.path.join(ctx.root, "onnx", "tooling", "model_card_template.md")) as f:
        card = string.Template(f.read()).substitute(values)
    with open(ctx.card_path(), "w") as f:
        f.write(card)
    log(f"card: {ctx.card_path()} written")
