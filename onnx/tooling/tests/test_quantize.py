import os
import sys
import unittest

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import quantize  # noqa: E402


def tiny_model(w1, w2):
    """x[2,3,4] -> MatMul(W1[4,5]) -> Add(b) -> MatMul(W2[5,2]); plus a MatMul of two activations."""
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["h"]),
        helper.make_node("Add", ["h", "b"], ["hb"]),
        helper.make_node("MatMul", ["hb", "W2"], ["y"]),
        helper.make_node("MatMul", ["x", "xt"], ["gram"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4]),
         helper.make_tensor_value_info("xt", TensorProto.FLOAT, [2, 4, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 2]),
         helper.make_tensor_value_info("gram", TensorProto.FLOAT, [2, 3, 3])],
        [numpy_helper.from_array(w1, "W1"), numpy_helper.from_array(w2, "W2"),
         numpy_helper.from_array(np.zeros(5, np.float32), "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def run(model, feeds):
    """A numpy interpreter for the ops of the float and quantized tiny graphs (onnx 1.12 has none)."""
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update(feeds)
    for n in model.graph.node:
        a = [values[i] for i in n.input]
        attrs = {at.name: helper.get_attribute_value(at) for at in n.attribute}
        if n.op_type == "MatMulInteger":
            out = (a[0].astype(np.int64) - a[2].astype(np.int64)) @ (a[1].astype(np.int64) - a[3].astype(np.int64))
            out = out.astype(np.int32)
        elif n.op_type == "ReduceMax":
            out = a[0].max(axis=tuple(attrs["axes"]), keepdims=bool(attrs.get("keepdims", 1)))
        elif n.op_type == "Cast":
            out = a[0].astype({TensorProto.FLOAT: np.float32, TensorProto.UINT8: np.uint8}[attrs["to"]])
        elif n.op_type == "Clip":
            out = np.clip(a[0], a[1], a[2])
        else:
            out = {"MatMul": np.matmul, "Add": np.add, "Mul": np.multiply, "Div": np.divide, "Max": np.maximum,
                   "Abs": np.abs, "Round": np.round}[n.op_type](*a)
        values[n.output[0]] = out
    return [values[o.name] for o in model.graph.output]


class QuantizeTest(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(0)
        self.w1 = rng.normal(size=(4, 5)).astype(np.float32)
        self.w2 = rng.normal(size=(5, 2)).astype(np.float32)

    def test_weight_round_trip_within_half_a_step_per_column(self):
        q, scale = quantize.quantize_weight(self.w1)
        self.assertEqual(q.dtype, np.uint8)
        self.assertEqual(scale.shape, (5,))
        restored = (q.astype(np.float32) - quantize.WEIGHT_ZERO_POINT) * scale
        self.assertTrue(np.all(np.abs(restored - self.w1) <= scale / 2 + 1e-7))
        self.assertEqual(int(np.abs(q.astype(int) - 128).max()), 127)

    def test_rewrites_constant_matmuls_only(self):
        model, count = quantize.quantize_model(tiny_model(self.w1, self.w2))
        ops = [n.op_type for n in model.graph.node]
        self.assertEqual(count, 2)
        self.assertEqual(ops.count("MatMulInteger"), 2)
        self.assertEqual(ops.count("ReduceMax"), 2, "one quantization per distinct activation (x, hb)")
        self.assertEqual(ops.count("MatMul"), 1, "the activation x activation MatMul stays float")
        names = {t.name for t in model.graph.initializer}
        self.assertNotIn("W1", names)
        self.assertNotIn("W2", names)
        self.assertEqual([o.name for o in model.graph.output], ["y", "gram"])

    def test_integer_pattern_approximates_float_matmul(self):
        model, _ = quantize.quantize_model(tiny_model(self.w1, self.w2))
        x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype(np.float32)
        xt = np.zeros((2, 4, 3), np.float32)
        y, _ = run(model, {"x": x, "xt": xt})
        expected, _ = run(tiny_model(self.w1, self.w2), {"x": x, "xt": xt})
        self.assertLess(np.abs(y - expected).max(), 0.05 * np.abs(expected).max())

    def test_each_row_is_quantized_independently_of_the_others(self):
        model, _ = quantize.quantize_model(tiny_model(self.w1, self.w2))
        rng = np.random.default_rng(2)
        x = rng.normal(size=(2, 3, 4)).astype(np.float32)
        other = x.copy()
        other[1] *= 50.0  # a very different second article
        other[0, 2] = 0.0  # and a zeroed (padding-like) row
        xt = np.zeros((2, 4, 3), np.float32)
        y, _ = run(model, {"x": x, "xt": xt})
        y_other, _ = run(model, {"x": other, "xt": xt})
        np.testing.assert_array_equal(y[0, :2], y_other[0, :2])
        self.assertTrue(np.all(np.isfinite(y_other)))


if __name__ == "__main__":
    unittest.main()
