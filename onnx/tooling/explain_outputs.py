"""The explain variant of a shipped model: its attention probabilities as extra outputs.

The served model.onnx stays as it is (its file, its session, its speed); config.json names the tensors
that hold each layer's attention probabilities, and `./news-classifier explain` opens a second session on the
same file with those tensors added as outputs. One file per folder instead of two, and a model without
the entry still serves (it only cannot show attention)."""
import json
import os

import onnx

import model_config

CONFIG_KEY = "explain"


def attention_outputs(model_path):
    """Each encoder layer's attention probabilities, bottom layer first: the output of every Softmax that feeds a
    MatMul (the product with the values), [batch, heads, sequence, sequence]."""
    graph = onnx.load(model_path, load_external_data=False).graph
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node.op_type)
    names = [node.output[0] for node in graph.node
             if node.op_type == "Softmax" and "MatMul" in consumers.get(node.output[0], [])]
    if not names:
        raise ValueError(f"{model_path}: no attention softmax found")
    return names


def explain_entry(model_path):
    return {"attention_outputs": attention_outputs(model_path),
            "attention_shape": "[batch, heads, sequence, sequence] float32, one tensor per layer, bottom first; "
                               "each row sums to 1 over the real tokens",
            "how": "not outputs of the served graph: the explain tool adds them to a second session of this file"}


def add_to_config(folder):
    """Writes the explain entry into folder/config.json (idempotent: the names only depend on model.onnx)."""
    path = os.path.join(folder, "config.json")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    config[CONFIG_KEY] = explain_entry(os.path.join(folder, "model.onnx"))
    model_config.write_config(path, config)
    return config[CONFIG_KEY]["attention_outputs"]
