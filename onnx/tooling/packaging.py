"""From trained weights to shipped folders: ONNX export, int8 (dynamic and static), config.json, and the
choice of what ships as default, fp32 and fast."""
import json
import os
import shutil
import time

import bases
import calibrate
import compact
import explain_outputs
import graph_rewrites
import model_config
import quantize
from benchmarks import ALLOW_SPINNING, MEASURED_WITH, SERVED_HOW, cpu_description, load_ladder
from context import MAX_LENGTH, SEED, build_model, load_run, log, model_dir
from distillation import STUDENTS
from export import export_onnx
from rungs import (DEFAULT_MODEL_NAME, FAST_FOLDER, FAST_MAX_GAP, FP32_FOLDER, INT8_SOURCES, TITLES, TRAINED_RUNGS,
                   fast_model_name, int8_rung, precision_of, shipped_version, static_rung)

# Static int8 takes each activation's range (min and max over real tokens) from the first
# CALIBRATION_ROWS training texts; the validation and test rows are never seen.
CALIBRATION_ROWS = 1024
# A rung ships in its static int8 form when that costs at most this much validation accuracy; otherwise
# in fp32.
INT8_TOLERANCE = 0.003
GRAPH_REWRITES = ("GELU in its tanh form (ONNX Runtime's FastGelu; at most "
                  f"{graph_rewrites.GELU_TANH_MAX_DEVIATION:.1e} from erf GELU), bias Adds with the bias second and "
                  "position embeddings gathered per row, so that ONNX Runtime fuses them (graph_rewrites.py)")
DATA_DESCRIPTION = ("AG News train-split rows available here (train_sample + train_extra, every tier), text rule "
                    "agnews-text-v1, exact-duplicate texts and texts equal to a test row removed; about 76% of the "
                    "120,000-row train split, so figures are close to, not the same as, published ones. Test: "
                    "test_part, 5,700 rows of the AG News test split, never trained or selected on")


# The exporter's own file, every weight in float32: what quantization reads. model.onnx beside it is the same model
# stored compactly (compact.py), which is what is benched and shipped.
PLAIN_EXPORT = "plain.onnx"
FP32_STORAGE = ("float32 arithmetic; weights of 4,096 values or more stored as float16 and cast to float32 when "
                "the session loads, the word-embedding table as int8 with one scale per row, as in the int8 "
                "default (compact.py)")


def write_model_dir(ctx, rung, run, precision, metrics, model_name, model_version):
    """config.json + tokenizer.json beside an exported model.onnx (rung dirs and shipped dirs alike)."""
    d = model_dir(ctx, rung)
    key = run["base"] or "minilm"
    base = bases.BASES[key]
    shutil.copyfile(bases.base_files(ctx.build, key)[1], os.path.join(d, "tokenizer.json"))
    p = ctx.prepared()
    recipe = run["recipe"]
    config = model_config.build_config(
        model_path=os.path.join(d, "model.onnx"), model_name=model_name, max_length=MAX_LENGTH, precision=precision,
        base_model={"name": base["name"], "package": base["package"], "license": base["license"]}
        if run["base"] else {"name": "none (trained from scratch, uses the MiniLM vocabulary)",
                             "package": base["package"], "license": base["license"]},
        data={"description": DATA_DESCRIPTION, "train_rows": run.get("train_rows", len(p["train_indices"])),
              "validation_rows": len(p["validation_indices"]), "test_rows": len(p["test_indices"]),
              "split": "validation: stratified 6% of the train_sample and tier A rows (original text), seed "
                       f"{SEED}"},
        metrics=metrics,
        training={"recipe": TITLES[run["rung"]] + ("; AdamW, linear warm-up 10% then linear decay, "
                                                   "length-grouped batches" if run["base"] else ""),
                  "rung": run["rung"], "epochs": recipe.get("epochs"), "lr": recipe.get("lr"),
                  "batch_size": recipe.get("batch_size", 32), "seed": SEED,
                  "train_seconds": round(run["history"]["train_seconds"]), "details": recipe},
        model_version=model_version, extra={"token_type_ids": "not an input: always 0, folded into the model"})
    model_config.write_config(os.path.join(d, "config.json"), config)
    return config


def torch_metrics(run, measured_with):
    return {"test_accuracy": run["test"]["accuracy"], "test_macro_f1": run["test"]["macro_f1"],
            "test_confusion_matrix": run["test"]["confusion_matrix"],
            "validation_accuracy": run["validation"]["accuracy"], "validation_macro_f1": run["validation"]["macro_f1"],
            "labels_order": "rows true, columns predicted", "measured_with": measured_with}


def stage_export(ctx):
    for rung in TRAINED_RUNGS:
        run = load_run(ctx, rung)
        if run is None:
            log(f"export: {rung} not trained, skipped")
            continue
        os.makedirs(model_dir(ctx, rung), exist_ok=True)
        plain = os.path.join(model_dir(ctx, rung), PLAIN_EXPORT)
        export_onnx(build_model(ctx, run), plain)
        compact.compact_file(plain, os.path.join(model_dir(ctx, rung), "model.onnx"))
        write_model_dir(ctx, rung, run, "fp32", torch_metrics(run, "torch"), f"news-classifier-{rung}",
                        shipped_version(rung))
        log(f"export: {rung} -> {model_dir(ctx, rung)}")


def stage_quantize(ctx):
    for source in INT8_SOURCES:
        run = load_run(ctx, source)
        if run is None or not os.path.exists(os.path.join(model_dir(ctx, source), PLAIN_EXPORT)):
            continue
        write_int8(ctx, source, run, int8_rung(source))
        started = time.time()
        train_ids, _, validation_ids, _ = ctx.split_tokens(run["base"])
        calibration_ids = train_ids[:CALIBRATION_ROWS]
        model = build_model(ctx, run)
        ranges = calibrate.linear_input_ranges(model, calibration_ids)
        write_int8(ctx, source, run, static_rung(source), lambda weight: calibrate.range_for_weight(ranges, weight),
                   started=started,
                   quantization={"activations": "uint8, one scale and zero point per tensor, fixed: min and max over "
                                                f"the real tokens of {len(calibration_ids):,} training texts",
                                 "weights": "int8 in [-63, 63], zero point 0, one scale per output column",
                                 "pattern": "QuantizeLinear -> DequantizeLinear -> MatMul (QDQ)",
                                 "graph": GRAPH_REWRITES,
                                 # Measured, not used to choose anything: how much of unseen text saturates.
                                 "validation_values_beyond_range": calibrate.fraction_beyond(model, validation_ids,
                                                                                             ranges)})


def write_int8(ctx, source, run, rung, range_of=None, started=None, quantization=None):
    """The int8 form of source's export: dynamic, or static with the calibrated ranges of range_of."""
    started = started or time.time()
    os.makedirs(model_dir(ctx, rung), exist_ok=True)
    count = quantize.quantize_file(os.path.join(model_dir(ctx, source), PLAIN_EXPORT),
                                   os.path.join(model_dir(ctx, rung), "model.onnx"), range_of)
    int8_run = {**run, "rung": rung, "source": source, "quantize_seconds": time.time() - started,
                **({"quantization": quantization} if quantization else {})}
    with open(ctx.path("runs", rung, "run.json"), "w") as f:
        json.dump(int8_run, f, indent=1)
    # The int8 model's accuracy is only known after the Java bench (ONNX Runtime); until then the config
    # carries the fp32 source's figures, marked as such.
    write_model_dir(ctx, rung, int8_run, precision_of(rung), torch_metrics(run, f"torch fp32 source {source}"),
                    f"news-classifier-{rung}", shipped_version(rung))
    log(f"quantize: {source} -> {rung} ({count} MatMuls)")


def stage_ship(ctx):
    """onnx/models/default: the fine-tuned 6-layer MiniLM rung with the best validation accuracy (the test
    rows choose nothing), in its static int8 form when that costs at most INT8_TOLERANCE in validation
    accuracy; onnx/models/fp32: the same rung in fp32. A build that benched no such rung, or none better on
    validation than the fp32 model already shipped (trained by an earlier build), leaves both as they are.
    onnx/models/fast: the shallowest student within FAST_MAX_GAP of the default on validation, by the same
    int8 rule.

    Dynamic int8 (the d-int8- rungs) never ships: it quantizes each activation tensor with one scale
    for the whole batch, so an article's probabilities move with its batch-mates (measured: up to
    0.067 between an article alone and inside a batch of 32); the service batches whatever arrives
    together, so a replay would not reproduce the first run's labels. Static int8 quantizes every
    token with the same calibrated constants: its scores, like fp32's, do not depend on the batch."""
    ladder = load_ladder(ctx)["rungs"]
    benched = {r["rung"]: r for r in ladder}
    candidates = [r for r in ladder if r["base"] == "minilm" and r["rung"].startswith("c-")
                  and r["rung"] not in STUDENTS]
    best = max(candidates, key=lambda r: r["validation_accuracy"]) if candidates else None
    shipped = shipped_validation_accuracy(ctx, FP32_FOLDER)
    if best is None:
        log(f"ship: no 6-layer MiniLM rung benched here, onnx/models/default and {FP32_FOLDER} left as they are")
    elif shipped is not None and shipped["rung"] not in benched and shipped["accuracy"] >= best["validation_accuracy"]:
        log(f"ship: {best['rung']} ({best['validation_accuracy']:.4f} on validation) is not better than the shipped "
            f"{shipped['rung']} ({shipped['accuracy']:.4f}): onnx/models/default and {FP32_FOLDER} left as they are")
    else:
        ship_model(ctx, shipped_form(benched, best), ctx.shipped_dir(), DEFAULT_MODEL_NAME)
        ship_model(ctx, best, ctx.shipped_dir(FP32_FOLDER), DEFAULT_MODEL_NAME)
        shipped = {"rung": best["rung"], "accuracy": best["validation_accuracy"]}
    students = [benched[rung] for rung in sorted(STUDENTS, key=STUDENTS.get) if rung in benched]
    if not students:
        log(f"ship: no student benched, onnx/models/{FAST_FOLDER} left as it is")
        return
    if shipped is None:
        log(f"ship: no default to measure the students against, onnx/models/{FAST_FOLDER} left as it is")
        return
    close = [r for r in students if shipped["accuracy"] - r["validation_accuracy"] <= FAST_MAX_GAP + 1e-9]
    for r in students:
        log(f"ship: {r['rung']} {r['validation_accuracy']:.4f} on validation, "
            f"{shipped['accuracy'] - r['validation_accuracy']:+.4f} from the default's {shipped['accuracy']:.4f}")
    fast = close[0] if close else students[-1]
    if not close:
        log(f"ship: no student within {FAST_MAX_GAP} of the default; the deepest benched, {fast['rung']}, ships")
    ship_model(ctx, shipped_form(benched, fast), ctx.shipped_dir(FAST_FOLDER), fast_model_name(fast["rung"]))


def shipped_validation_accuracy(ctx, folder):
    """The validation accuracy and rung of the model shipped in folder (by this build or an earlier one), or None."""
    path = os.path.join(ctx.shipped_dir(folder), "config.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        config = json.load(f)
    return {"rung": config["training"]["rung"], "accuracy": config["metrics"]["validation_accuracy"]}


def stage_explain(ctx):
    """The explain entry (attention outputs) in every shipped folder's config.json; ship writes it too, this stage
    adds it to folders shipped before it existed."""
    for folder in ("default", FP32_FOLDER, FAST_FOLDER):
        target = ctx.shipped_dir(folder)
        if os.path.exists(os.path.join(target, "model.onnx")):
            names = explain_outputs.add_to_config(target)
            log(f"explain: {target}: {len(names)} attention outputs")


def shipped_form(benched, entry):
    """entry's static int8 form when it was benched and is within INT8_TOLERANCE of entry, else entry."""
    static = benched.get(static_rung(entry["rung"]))
    if static is not None and entry["validation_accuracy"] - static["validation_accuracy"] <= INT8_TOLERANCE:
        return static
    return entry


def ship_model(ctx, entry, target, model_name):
    """model.onnx, tokenizer.json and a config.json with the bench's figures into a shipped folder."""
    run = load_run(ctx, entry["rung"])
    os.makedirs(target, exist_ok=True)
    shutil.copyfile(os.path.join(model_dir(ctx, entry["rung"]), "model.onnx"), os.path.join(target, "model.onnx"))
    metrics = {"test_accuracy": entry["test_accuracy"], "test_macro_f1": entry["test_macro_f1"],
               "test_confusion_matrix": entry["test_confusion_matrix"],
               "test_confidence_histogram": entry.get("test_confidence_histogram"),
               "validation_accuracy": entry["validation_accuracy"], "validation_macro_f1": entry["validation_macro_f1"],
               "confusion_matrix": entry["confusion_matrix"],
               "labels_order": "rows true, columns predicted; confusion_matrix is the validation split's",
               "measured_with": MEASURED_WITH}
    # write_model_dir works on build/models/<rung>; point it at the shipped folder instead.
    config_dir = model_dir(ctx, "_ship")
    os.makedirs(config_dir, exist_ok=True)
    shutil.copyfile(os.path.join(target, "model.onnx"), os.path.join(config_dir, "model.onnx"))
    config = write_model_dir(ctx, "_ship", dict(run, rung=entry["rung"]), precision_of(entry["rung"]), metrics,
                             model_name, shipped_version(entry["rung"]))
    ladder = load_ladder(ctx)
    config["benchmark"] = {"articles_per_second": round(entry["articles_per_second"], 1),
                           "timed": f"median of {len(entry['timed_passes'])} passes over {entry['timed_texts']} texts",
                           "batch_size": 32, "intra_op_threads": 2, "allow_spinning": ALLOW_SPINNING,
                           "validation_texts": ladder["validation_rows"],
                           "load_average_during_bench": entry["load_average_before"],
                           "machine": cpu_description()}
    served = entry["served"]
    config["benchmark"]["as_served"] = {
        "articles_per_second": round(served["articles_per_second"], 1),
        "intra_op_threads": served["intra_op_threads"], "chunk_size": served["chunk_size"],
        "concurrent_chunks": served["concurrent_chunks"], "how": SERVED_HOW}
    config[explain_outputs.CONFIG_KEY] = explain_outputs.explain_entry(os.path.join(target, "model.onnx"))
    if "quantization" in run:
        config["quantization"] = {**run["quantization"], "source_rung": run["source"]}
    else:
        config["storage"] = FP32_STORAGE
    model_config.write_config(os.path.join(target, "config.json"), config)
    shutil.copyfile(os.path.join(config_dir, "tokenizer.json"), os.path.join(target, "tokenizer.json"))
    shutil.rmtree(config_dir)
    log(f"ship: {entry['rung']} -> {target} (test {entry['test_accuracy']:.4f}, validation "
        f"{entry['validation_accuracy']:.4f}, {entry['articles_per_second']:.0f} articles/s)")
