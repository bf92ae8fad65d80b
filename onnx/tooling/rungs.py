"""The ladder's rungs: their names, titles, the stages that train them, their int8 forms and the versions
they ship under."""
from distillation import DISTILL, STUDENTS
from recipes import LLRD, SOUP, TAPT

TRAINED_RUNGS = ["a-scratch", "b-frozen-minilm", "c-finetune-minilm", "c-finetune-bge", "c-finetune-e5",
                 "c-distill-minilm", "c-soup-minilm", "c-rdrop-minilm", "c-llrd-minilm", "c-long-minilm",
                 "c-tapt-minilm", *STUDENTS]
# Candidates for int8 (rung d) and shipping: the MiniLM rungs only; the 12-layer bases run at half
# MiniLM's speed.
INT8_SOURCES = [r for r in TRAINED_RUNGS if r.startswith("c-") and r.endswith("-minilm")]


def int8_rung(source):
    """The dynamic int8 form of a rung (quantize.py's per-call activation scales)."""
    return "d-int8-" + source.split("-", 1)[1]


def static_rung(source):
    """The static int8 form of a rung (activation ranges calibrated on training texts)."""
    return "d-static-" + source.split("-", 1)[1]


INT8_KINDS = {"dynamic": int8_rung, "static": static_rung}
INT8_RUNGS = [kind(s) for kind in INT8_KINDS.values() for s in INT8_SOURCES]


def precision_of(rung):
    return "int8-static" if rung.startswith("d-static-") else "int8-dynamic" if rung.startswith("d-") else "fp32"


def lr_text(lr):
    """1.5e-4, 1e-4, 2e-3: as a recipe is written."""
    mantissa, exponent = f"{lr:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


TITLES = {
    "a-scratch": "(a) small transformer from scratch (embedding 32, 1 block, 2 heads, ff 32)",
    "b-frozen-minilm": "(b) MiniLM-L6 frozen + new linear head",
    "c-finetune-minilm": "(c) MiniLM-L6 full fine-tuning",
    "c-finetune-bge": "(c) bge-small full fine-tuning",
    "c-finetune-e5": "(c) e5-small-v2 full fine-tuning",
    "c-distill-minilm": f"(c+) MiniLM-L6 distilled from the teacher (alpha {DISTILL['alpha']}, "
                        f"T {DISTILL['temperature']:g})",
    "c-soup-minilm": f"(c+) MiniLM-L6 soup: weights of {len(SOUP['seeds'])} fine-tuned seeds averaged",
    "c-rdrop-minilm": "(c+) MiniLM-L6 full fine-tuning with R-Drop (alpha 1)",
    "c-llrd-minilm": f"(c+) MiniLM-L6 full fine-tuning with layer-wise lr decay ({LLRD['layer_lr_decay']})",
    "c-long-minilm": "(c+) MiniLM-L6 full fine-tuning, longer schedule at half the lr",
    "c-tapt-minilm": f"(c+) MiniLM-L6 after task-adaptive MLM pretraining on the training texts "
                     f"({TAPT['mlm_epochs']} ep, lr {lr_text(TAPT['mlm_lr'])}), then full fine-tuning",
    **{rung: f"(c+) MiniLM-L6 cut to its bottom {layers} layer{'s' if layers > 1 else ''}, distilled from the "
             "teacher" for rung, layers in STUDENTS.items()},
}
TITLES.update({int8_rung(s): "(d) int8 dynamic of " + TITLES[s] for s in INT8_SOURCES})
TITLES.update({static_rung(s): "(d) int8 static of " + TITLES[s] for s in INT8_SOURCES})

_TEACHER = "finetune-minilm,teacher"
# The training stages behind each rung (an int8 rung's are its source's).
STAGES_OF = {
    "a-scratch": "scratch", "b-frozen-minilm": "frozen", "c-finetune-minilm": "finetune-minilm",
    "c-finetune-bge": "finetune-bge", "c-finetune-e5": "finetune-e5",
    "c-distill-minilm": f"{_TEACHER},distill", "c-soup-minilm": "finetune-minilm,soup",
    "c-rdrop-minilm": "rdrop", "c-llrd-minilm": "llrd", "c-long-minilm": "long", "c-tapt-minilm": "tapt",
    **{rung: f"{_TEACHER},students" for rung in STUDENTS},
}
STAGES_OF.update({kind(source): STAGES_OF[source] for source in INT8_SOURCES for kind in INT8_KINDS.values()})

DEFAULT_MODEL_NAME = "news-classifier-minilm-l6-agnews"
# The second shipped variant, for CPU deployments that need throughput more than the last accuracy points:
# the shallowest distilled student (STUDENTS) within FAST_MAX_GAP of the default's validation accuracy, the gap
# between the targets the variants are held to (default 94.0%, fast 92.5%). Validation chooses, never the test
# rows. Each student depth has its own model name, so its versions count apart from the default's.
FAST_FOLDER = "fast"
FAST_MAX_GAP = 0.015


def fast_model_name(rung):
    return f"news-classifier-minilm-l{STUDENTS[source_of(rung)]}-agnews"


# The default's fp32 source ships too, for GPUs (where int8 MatMuls gain nothing) and as the reference
# the int8 default is measured against.
FP32_FOLDER = "fp32"
# Labeled events carry the model's version, so every model trained on another protocol or data gets a new
# major version: 3 is the first trained on the train split's ~90k rows (1 and 2 were the 10k-row models).
# An fp32 model and its static int8 form are one model in two builds: the same version, the fp32 one
# marked with build metadata.
MODEL_MAJOR_VERSION = 3
SHIPPED_MINOR_VERSIONS = {"c-finetune-minilm": 0, "c-soup-minilm": 1, "c-rdrop-minilm": 2, "c-llrd-minilm": 3,
                          "c-long-minilm": 4, "c-distill-minilm": 5, "c-tapt-minilm": 6, "c-l3-distill-minilm": 0,
                          "c-l1-distill-minilm": 0}


def source_of(rung):
    """The fp32 rung an int8 rung was quantized from; the rung itself otherwise."""
    if rung.startswith("d-"):
        kind, rest = rung[2:].split("-", 1)
        return "c-" + rest
    return rung


def shipped_version(rung):
    """The version a rung's model carries; rungs that are never candidates to ship get their name as a
    pre-release tag instead of a minor version of their own."""
    source = source_of(rung)
    minor = SHIPPED_MINOR_VERSIONS.get(source)
    version = f"{MODEL_MAJOR_VERSION}.{minor}.0" if minor is not None else f"{MODEL_MAJOR_VERSION}.0.0-{source}"
    return version if rung.startswith("d-static-") else version + "+" + precision_of(rung).replace("-", ".")
