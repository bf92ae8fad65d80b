import math
import os
import sys
import tempfile
import unittest

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import graph_rewrites  # noqa: E402
import quantize  # noqa: E402
from bert import BertClassifier, BertEncoder  # noqa: E402
from export import export_onnx  # noqa: E402

HIDDEN = 4
VOCAB = 10
SQRT_2 = np.float32(math.sqrt(2))


def const(name, value, dtype=np.float32):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array(value, dtype=dtype)))


def exported_like_torch():
    """The node patterns torch 1.13 exports for BERT's embeddings, a Linear's bias and erf GELU:
    e = words + positions(Range) + token type, h = Add(bias, e), y = gelu(h)."""
    rng = np.random.default_rng(0)
    nodes = [
        helper.make_node("Shape", ["input_ids"], ["shape"]),
        const("one_i", 1, np.int64), const("zero_i", 0, np.int64), const("axis0", [0], np.int64),
        helper.make_node("Gather", ["shape", "one_i"], ["length"], axis=0),
        helper.make_node("Cast", ["length"], ["length_i"], to=TensorProto.INT64),
        helper.make_node("Range", ["zero_i", "length_i", "one_i"], ["range"]),
        helper.make_node("Unsqueeze", ["range", "axis0"], ["position_ids"]),
        helper.make_node("Gather", ["words", "input_ids"], ["word_e"]),
        helper.make_node("Gather", ["positions", "position_ids"], ["position_e"]),
        helper.make_node("Add", ["word_e", "position_e"], ["word_position"]),
        helper.make_node("Add", ["word_position", "token_type"], ["e"]),
        helper.make_node("Add", ["bias", "e"], ["h"]),
        const("sqrt2", SQRT_2), const("one_f", 1.0), const("half", 0.5),
        helper.make_node("Div", ["h", "sqrt2"], ["h_scaled"]),
        helper.make_node("Erf", ["h_scaled"], ["erf"]),
        helper.make_node("Add", ["erf", "one_f"], ["erf_plus_one"]),
        helper.make_node("Mul", ["h", "erf_plus_one"], ["h_times"]),
        helper.make_node("Mul", ["h_times", "half"], ["y"]),
    ]
    initializers = [numpy_helper.from_array(rng.normal(size=shape).astype(np.float32), name)
                    for name, shape in (("words", (VOCAB, HIDDEN)), ("positions", (8, HIDDEN)),
                                        ("token_type", (HIDDEN,)), ("bias", (HIDDEN,)))]
    graph = helper.make_graph(
        nodes, "exported", [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("e", "y")], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def run(model, feeds):
    """numpy evaluation of the few operators these graphs use (no onnxruntime in Python here)."""
    values = dict(feeds)
    values.update({t.name: numpy_helper.to_array(t) for t in model.graph.initializer})
    erf = np.vectorize(math.erf, otypes=[np.float64])
    for n in model.graph.node:
        a = {attr.name: helper.get_attribute_value(attr) for attr in n.attribute}
        x = [values[i] for i in n.input]
        if n.op_type == "Constant":
            out = numpy_helper.to_array(a["value"])
        elif n.op_type == "Shape":
            out = np.array(x[0].shape, np.int64)
        elif n.op_type == "Gather":
            out = np.take(x[0], x[1], axis=a.get("axis", 0))
        elif n.op_type == "Cast":
            out = x[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif n.op_type == "Range":
            out = np.arange(x[0], x[1], x[2], dtype=x[0].dtype)
        elif n.op_type == "Unsqueeze":
            out = np.expand_dims(x[0], tuple(x[1]))
        elif n.op_type == "CumSum":
            total = np.cumsum(x[0], axis=int(x[1]))
            out = total - x[0] if a.get("exclusive") else total
        elif n.op_type == "Erf":
            out = erf(x[0]).astype(np.float32)
        elif n.op_type == "Tanh":
            out = np.tanh(x[0])
        else:
            out = {"Add": np.add, "Mul": np.multiply, "Div": np.divide, "Pow": np.power}[n.op_type](x[0], x[1])
        values[n.output[0]] = out
    return [values[o.name] for o in model.graph.output]


class GraphRewritesTest(unittest.TestCase):
    def setUp(self):
        self.model = exported_like_torch()
        self.rewritten, self.counts = graph_rewrites.rewrite_for_onnx_runtime(self.model)
        self.ids = {"input_ids": np.array([[1, 5, 9, 2, 0], [3, 3, 7, 0, 0]], np.int64)}

    def test_counts_each_rewrite(self):
        self.assertEqual(self.counts, {"bias_adds": 1, "position_embeddings": 1, "tanh_gelu": 1})

    def test_keeps_the_embedding_sum_and_approximates_gelu_within_its_bound(self):
        e, y = run(self.model, self.ids)
        e2, y2 = run(self.rewritten, self.ids)
        np.testing.assert_allclose(e2, e, rtol=0, atol=1e-6)
        self.assertLessEqual(float(np.abs(y2 - y).max()), graph_rewrites.GELU_TANH_MAX_DEVIATION)

    def test_tanh_form_stays_within_the_stated_bound_of_erf_gelu(self):
        x = np.linspace(-12, 12, 240_001)
        erf = np.vectorize(math.erf)(x / math.sqrt(2))
        tanh = np.tanh(graph_rewrites.GELU_SQRT_2_OVER_PI * (x + graph_rewrites.GELU_CUBIC * x ** 3))
        worst = float(np.abs(0.5 * x * (erf - tanh)).max())
        self.assertLessEqual(worst, graph_rewrites.GELU_TANH_MAX_DEVIATION)
        self.assertGreater(worst, graph_rewrites.GELU_TANH_MAX_DEVIATION / 2, "the bound is not loose")

    def test_writes_the_constants_onnx_runtime_fast_gelu_fusion_matches(self):
        ops = [n.op_type for n in self.rewritten.graph.node]
        self.assertNotIn("Erf", ops)
        self.assertIn("Tanh", ops)
        scalars = {float(numpy_helper.to_array(t)) for t in self.rewritten.graph.initializer if not t.dims}
        # The float32 values ONNX Runtime's FastGeluFusion compares with.
        self.assertTrue({np.float32(0.044714998453855515), np.float32(0.7978845834732056), 3.0, 0.5, 1.0} <= scalars)

    def test_puts_every_bias_second(self):
        initializers = {t.name for t in self.rewritten.graph.initializer}
        for n in self.rewritten.graph.node:
            if n.op_type == "Add":
                self.assertFalse(n.input[0] in initializers and n.input[1] not in initializers, n.name)

    def test_gathers_positions_with_the_shape_of_the_ids_and_adds_them_last(self):
        shapes = {v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
                  for v in self.rewritten.graph.value_info}
        self.assertEqual(shapes["position_e"], ["batch", "sequence", HIDDEN])
        self.assertEqual(shapes["word_position"], ["batch", "sequence", HIDDEN])
        last = next(n for n in self.rewritten.graph.node if n.output[0] == "e")
        self.assertEqual(list(last.input), ["word_position", "position_e"])
        self.assertNotIn("Range", [n.op_type for n in self.rewritten.graph.node], "the unused nodes are dropped")

    def test_changes_nothing_the_second_time(self):
        again, counts = graph_rewrites.rewrite_for_onnx_runtime(self.rewritten)
        self.assertEqual(set(counts.values()), {0})
        self.assertEqual(again.graph.node, self.rewritten.graph.node)

    def test_leaves_a_different_activation_alone(self):
        model = exported_like_torch()
        div = next(n for n in model.graph.node if n.op_type == "Div")
        div.input[1] = "one_f"  # 0.5 x (1 + erf(x)) is not GELU
        _, counts = graph_rewrites.rewrite_for_onnx_runtime(model)
        self.assertEqual(counts["tanh_gelu"], 0)


class ExportedBertRewritesTest(unittest.TestCase):
    """The patterns are the ones torch really exports for the project's BERT, and int8 graphs get them."""

    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)
        # export_onnx traces real token ids (up to 7592).
        encoder = BertEncoder(8000, hidden=8, layers=2, heads=2, intermediate=16, max_positions=8)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.onnx")
            export_onnx(BertClassifier(encoder, 4), path)
            cls.exported = onnx.load(path)

    def test_finds_every_pattern_in_an_export(self):
        _, counts = graph_rewrites.rewrite_for_onnx_runtime(self.exported)
        self.assertEqual(counts["position_embeddings"], 1)
        self.assertEqual(counts["tanh_gelu"], 2, "one GELU per layer")
        self.assertGreaterEqual(counts["bias_adds"], 2 * 6, "query, key, value, attention output and two FFN biases")

    def test_int8_graphs_are_rewritten_and_the_fp32_export_is_not(self):
        ops = {n.op_type for n in self.exported.graph.node}
        self.assertIn("Erf", ops)
        for model, _ in (quantize.quantize_model(self.exported),
                         quantize.quantize_static_model(self.exported, lambda w: (-1.0, 1.0))):
            ops = {n.op_type for n in model.graph.node}
            self.assertNotIn("Erf", ops)
            self.assertIn("CumSum", ops)


if __name__ == "__main__":
    unittest.main()
