"""Every model through ONNX Runtime Java (OrtBench.java), as the service runs it: accuracy on the
validation and test texts, articles/s padded and as served, and the CPU's matrix ceiling."""
import json
import os
import re
import subprocess

import numpy as np
import onnx

import bases
import compute
import quantize
from context import MAX_LENGTH, load_run, log, model_dir
from rungs import INT8_RUNGS, TRAINED_RUNGS

# Each timed pass (after the full evaluation pass, which is the warm-up) covers 10 batches of 32 texts;
# the bench reports the median of the passes.
TIMED_TEXTS = 320
TIMED_PASSES = 3
# Every rung is also timed the way the service runs it on this 2-core machine (application.properties:
# news.inference.intra-op-threads=1, chunk-size=2, concurrent-chunks=0, i.e. one per core): each batch
# of 32 sorted by token count, cut into chunks of 2 padded to their own longest text, two chunks running
# at a time on one thread each. The padded bench stays the ladder's common measure; this one is what a
# deployment of the service gets from the same model.
SERVED = {"intra_op_threads": 1, "chunk_size": 2, "concurrent_chunks": 2}
SERVED_HOW = ("each batch of 32 sorted by token count and cut into chunks padded to their own longest text, "
              "as the service's OnnxClassifier runs it")
# ONNX Runtime's intra-op threads spin between operators instead of sleeping, as the service's do
# (application.properties: news.inference.allow-spinning=true). Sleeping threads made the 2-thread
# measures of the default model 3-6% (padded) and 18-21% (length-sorted chunks of 8) slower on the 2-core VM.
ALLOW_SPINNING = True
MEASURED_WITH = "ONNX Runtime Java 1.29.0 + DJL tokenizers 0.38.0 (onnx/tooling/OrtBench.java)"


def cpu_description():
    """'2 cores, <model name> (<the instruction sets int8 speed depends on>)', from /proc/cpuinfo."""
    with open("/proc/cpuinfo") as f:
        info = f.read()
    name = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    flags = set(re.search(r"^flags\s*:\s*(.+)$", info, re.M).group(1).split())
    int8 = [label for flag, label in (("avx512_vnni", "AVX-512 VNNI"), ("avx_vnni", "AVX-VNNI"), ("amx_int8", "AMX"))
            if flag in flags] or ["no VNNI: AVX2" if "avx2" in flags else "no AVX2"]
    return f"{os.cpu_count()} cores, {name.group(1).strip() if name else 'unknown CPU'} ({', '.join(int8)})"


def ort_bench(ctx, directory, out_json, mode, *options, threads=2):
    """Runs OrtBench.java (2 intra-op threads unless told) on a model folder; returns the JSON it writes."""
    classpath = bases.fetch_bench_classpath(ctx.build, log)
    cmd = ["java", "-cp", classpath, os.path.join(ctx.root, "onnx", "tooling", "OrtBench.java"),
           "--model-dir", directory, "--out", out_json, "--mode", mode, "--threads", str(threads),
           "--allow-spinning", str(ALLOW_SPINNING).lower(), *options]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(out_json) as f:
        return json.load(f)


def java_bench(ctx, directory, texts_json, out_json, mode="eval"):
    return ort_bench(ctx, directory, out_json, mode, "--texts", texts_json, "--batch", "32",
                     "--timed-texts", str(TIMED_TEXTS), "--timed-passes", str(TIMED_PASSES))


def served_bench_options(timed_texts=TIMED_TEXTS, timed_passes=TIMED_PASSES):
    """OrtBench's options for the SERVED measure (beside --threads SERVED['intra_op_threads'])."""
    return ["--batch", "32", "--chunk", str(SERVED["chunk_size"]), "--concurrent", str(SERVED["concurrent_chunks"]),
            "--timed-texts", str(timed_texts), "--timed-passes", str(timed_passes)]


def served_bench(ctx, directory, texts_json, out_json):
    """articles/s of a model folder as the service runs it (SERVED), and the accuracy it gets that way (the
    same as padded for fp32 and static int8; dynamic int8 quantizes each chunk with its own scales)."""
    summary = ort_bench(ctx, directory, out_json, "eval", "--texts", texts_json, *served_bench_options(),
                        threads=SERVED["intra_op_threads"])["summary"]
    return {"articles_per_second": summary["articles_per_second"],
            "articles_per_cpu_second_times_threads": summary["articles_per_cpu_second_times_threads"],
            "accuracy": summary["accuracy"], "mean_padded_length": summary["mean_padded_length"],
            "timed_passes": summary["passes"], **SERVED}


def test_eval(ctx, directory, texts_json, out_json):
    """Accuracy, macro-F1 and confusion matrix on the test texts, as served (one short timed pass only)."""
    summary = ort_bench(ctx, directory, out_json, "eval", "--texts", texts_json,
                        *served_bench_options(timed_texts=32, timed_passes=1),
                        threads=SERVED["intra_op_threads"])["summary"]
    return {k: summary[k] for k in ("accuracy", "macro_f1", "confusion_matrix", "confidence_histogram")}


def texts_json(ctx, split):
    """The validation or test texts and labels as OrtBench reads them."""
    p = ctx.prepared()
    rows = p[f"{split}_indices"]
    rows = rows[:128] if ctx.quick else rows
    path = ctx.path(f"{split}_texts.json")
    with open(path, "w") as f:
        json.dump({"texts": [p["texts"][i] for i in rows], "labels": [p["labels"][i] for i in rows]}, f)
    return path


def base_bench_dir(ctx, key):
    """A base's folder, made readable by OrtBench (which takes max_length from a config.json)."""
    d = bases.base_dir(ctx.build, key)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"max_length": MAX_LENGTH}, f)
    return d


def stage_bench(ctx):
    """Every exported rung through ONNX Runtime Java: validation and test metrics, articles/s padded (batch
    32, 2 threads) and as served."""
    validation, test = texts_json(ctx, "validation"), texts_json(ctx, "test")
    ladder = []
    for rung in TRAINED_RUNGS + INT8_RUNGS:
        run = load_run(ctx, rung)
        if run is None or not os.path.exists(os.path.join(model_dir(ctx, rung), "model.onnx")):
            continue
        load_before = os.getloadavg()[0]
        summary = java_bench(ctx, model_dir(ctx, rung), validation, ctx.path("runs", rung, "bench.json"))["summary"]
        served = served_bench(ctx, model_dir(ctx, rung), validation, ctx.path("runs", rung, "bench_served.json"))
        tested = test_eval(ctx, model_dir(ctx, rung), test, ctx.path("runs", rung, "bench_test.json"))
        entry = {"rung": rung, "base": run["base"], "validation_accuracy": summary["accuracy"],
                 "validation_macro_f1": summary["macro_f1"], "confusion_matrix": summary["confusion_matrix"],
                 "test_accuracy": tested["accuracy"], "test_macro_f1": tested["macro_f1"],
                 "test_confusion_matrix": tested["confusion_matrix"],
                 "test_confidence_histogram": tested["confidence_histogram"],
                 "torch_test_accuracy": run["test"]["accuracy"] if not rung.startswith("d-") else None,
                 "size_mb": os.path.getsize(os.path.join(model_dir(ctx, rung), "model.onnx")) / 1e6,
                 "articles_per_second": summary["articles_per_second"],
                 "articles_per_cpu_second_times_threads": summary["articles_per_cpu_second_times_threads"],
                 "timed_texts": summary["timed_texts"], "timed_passes": summary["passes"],
                 "mean_padded_length": summary["mean_padded_length"], "served": served,
                 "train_rows": run.get("train_rows"), "train_seconds": run["history"]["train_seconds"],
                 "recipe": run["recipe"], "load_average_before": load_before,
                 "load_average_after": os.getloadavg()[0]}
        ladder.append(entry)
        log(f"bench {rung}: test {entry['test_accuracy']:.4f} validation {entry['validation_accuracy']:.4f} "
            f"{entry['articles_per_second']:.0f} articles/s, {served['articles_per_second']:.0f} as served, "
            f"{entry['size_mb']:.1f} MB (load {load_before:.1f})")
    with open(ctx.path("ladder.json"), "w") as f:
        json.dump({"validation_rows": len(json.load(open(validation))["texts"]),
                   "test_rows": len(json.load(open(test))["texts"]), "machine": cpu_description(),
                   "rungs": ladder}, f, indent=1)


def load_ladder(ctx):
    with open(ctx.path("ladder.json")) as f:
        return json.load(f)


# The ceiling: x [3072, k] (a batch of 32 texts of 96 tokens) times the feed-forward weight; 5 timed
# passes of at least 10 products and 2 s each. Host noise only ever slows a pass down, so the fastest
# pass is the ceiling.
CEILING_ROWS = 3072
CEILING_REPEATS = 10
CEILING_PASS_SECONDS = 2.0
CEILING_PASSES = 5


def stage_ceiling(ctx):
    """The fastest ONNX Runtime multiplies matrices on this CPU (GFLOP/s, 2 threads, the bench's session
    settings), for a product shaped like MiniLM's feed-forward layer: with the model's operation count
    it bounds the articles/s any MiniLM-sized model can reach here."""
    encoder = onnx.load(bases.base_files(ctx.build, "minilm")[0])
    k, n = compute.feed_forward_shape(encoder)
    fp32 = compute.matmul_model(k, n)
    # The int8 product is the pattern quantize.py gives every weight MatMul of the int8 rungs.
    graphs = {"fp32": fp32, "int8": quantize.quantize_model(fp32)[0]}
    ceiling = {}
    for precision, graph in graphs.items():
        model_file = ctx.path("ceiling", precision, "model.onnx")
        onnx.save(graph, model_file)
        ceiling[precision] = ort_bench(
            ctx, os.path.dirname(model_file), ctx.path("ceiling", precision, "bench.json"), "matmul",
            "--rows", str(CEILING_ROWS), "--repeats", str(CEILING_REPEATS),
            "--min-pass-seconds", str(CEILING_PASS_SECONDS), "--timed-passes", str(CEILING_PASSES))["summary"]
        log(f"ceiling {precision}: [{CEILING_ROWS}, {k}] x [{k}, {n}] at {ceiling[precision]['gflops_best']:.0f} "
            f"GFLOP/s in the fastest pass, {ceiling[precision]['gflops']:.0f} median")
    with open(ctx.path("ceiling.json"), "w") as f:
        json.dump(ceiling, f, indent=1)


# The speed check of a new default against the one it replaces: the same measures on both folders in
# turn, COMPARE_ROUNDS times, so that the shared host's load falls on both alike; the figure is the
# ratio of the medians. The service's benchmark runs the packaged application as a user would.
COMPARE_ROUNDS = 3
COMPARE_SERVICE_ARTICLES = 1500
COMPARE_PACED_SECONDS = 10


def service_benchmark(ctx, folder, out_json):
    """`./news-classifier benchmark` with NEWS_MODEL_DIR=folder on test_part; returns its JSON. What it
    prints for people goes beside the JSON, in a .txt file."""
    cmd = [os.path.join(ctx.root, "news-classifier"), "benchmark", "--input",
           os.path.join(ctx.data_dir, "test_part.csv.gz"), "--count", str(COMPARE_SERVICE_ARTICLES),
           "--paced-seconds", str(COMPARE_PACED_SECONDS), "--json", out_json]
    with open(out_json.removesuffix(".json") + ".txt", "w") as printed:
        subprocess.run(cmd, check=True, stdout=printed, env={**os.environ, "NEWS_MODEL_DIR": folder})
    with open(out_json) as f:
        return json.load(f)


def stage_compare(ctx):
    """The shipped default against --baseline (a model folder, e.g. the previous default): OrtBench as
    served on the test texts and the service's benchmark, alternated; writes compare.json."""
    if not ctx.baseline:
        raise SystemExit("the compare stage needs --baseline DIR, the model folder to compare the default with")
    texts = texts_json(ctx, "test")
    folders = {"default": ctx.shipped_dir(), "baseline": os.path.abspath(ctx.baseline)}
    figures = {name: {"served": [], "model_only": [], "through_kafka": []} for name in folders}
    for round_ in range(COMPARE_ROUNDS):
        for name, folder in folders.items():
            served = ort_bench(ctx, folder, ctx.path("compare", f"{name}-{round_}-served.json"), "eval", "--texts", texts,
                               *served_bench_options(), threads=SERVED["intra_op_threads"])["summary"]
            service = service_benchmark(ctx, folder, ctx.path("compare", f"{name}-{round_}-service.json"))
            figures[name]["served"].append(served["articles_per_second"])
            figures[name]["model_only"].append(service["model_only_articles_per_second"])
            figures[name]["through_kafka"].append(service["end_to_end_articles_per_second"])
            figures[name]["model"] = service["model"]
            log(f"compare round {round_ + 1} {name} ({service['model']}): {served['articles_per_second']:.0f} "
                f"articles/s as served (OrtBench), service {service['model_only_articles_per_second']:.0f} model only, "
                f"{service['end_to_end_articles_per_second']:.0f} through Kafka")
    ratios = {measure: float(np.median(figures["default"][measure]) / np.median(figures["baseline"][measure]))
              for measure in ("served", "model_only", "through_kafka")}
    with open(ctx.path("compare.json"), "w") as f:
        json.dump({"folders": folders, "figures": figures, "ratios": ratios, "rounds": COMPARE_ROUNDS,
                   "machine": cpu_description()}, f, indent=1)
    log("compare: default / baseline, medians: " + ", ".join(f"{k} {v:.3f}" for k, v in ratios.items()))
