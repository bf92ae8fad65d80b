"""config.json beside every exported model: the keys the Java service reads (CONTRACT_KEYS) plus
provenance. The text rule is copied from onnx/text-rule-cases.json, the shared contract."""
import hashlib
import json
import os

import text_rule
from data import LABELS
from export import INPUTS, OUTPUT

CONTRACT_KEYS = ["model_name", "model_version", "architecture", "base_model", "num_labels", "id2label", "label2id",
                 "max_length", "inputs", "output", "precision", "text_rule", "data", "metrics", "training",
                 "model_sha256"]
TEXT_RULE_CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "text-rule-cases.json")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def text_rule_entry():
    with open(TEXT_RULE_CASES, encoding="utf-8") as f:
        cases = json.load(f)
    if cases["rule"] != text_rule.RULE_ID:
        raise ValueError(f"text rule {cases['rule']} in the contract, {text_rule.RULE_ID} in the tooling")
    return {"id": cases["rule"], "description": cases["description"]}


def build_config(*, model_path, model_name, base_model, max_length, precision, data, metrics, training,
                 model_version="1.0.0", extra=None):
    config = {
        "model_name": model_name,
        "model_version": model_version,
        "architecture": "bert",
        "base_model": base_model,
        "num_labels": len(LABELS),
        "id2label": {str(i): label for i, label in enumerate(LABELS)},
        "label2id": {label: i for i, label in enumerate(LABELS)},
        "max_length": max_length,
        "inputs": list(INPUTS),
        "output": OUTPUT,
        "precision": precision,
        "text_rule": text_rule_entry(),
        "data": data,
        "metrics": metrics,
        "training": training,
        "model_sha256": sha256(model_path),
    }
    config.update(extra or {})
    return config


def write_config(path, config):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")
