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


def dynamic_quantize_linear(x):
    """numpy reference of ONNX DynamicQuantizeLinear (uint8)."""
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = (hi - lo) / 255.0
    zp = np.clip(np.round(-lo / scale), 0, 255)
    return np.clip(np.round(x / scale) + zp, 0, 255), np.float32(scale), zp


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
        self.assertEqual(ops.count("DynamicQuantizeLinear"), 2)
        self.assertEqual(ops.count("MatMul"), 1, "the activation x activation MatMul stays float")
        names = {t.name for t in model.graph.initializer}
        self.assertNotIn("W1", names)
        self.assertNotIn("W2", names)
        self.assertEqual([o.name for o in model.graph.output], ["y", "gram"])

    def test_integer_pattern_approximates_float_matmul(self):
        model, _ = quantize.quantize_model(tiny_model(self.w1, self.w2))
        inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        mmi = next(n for n in model.graph.node if n.op_type == "MatMulInteger")
        x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype(np.float32)
        x_q, x_scale, x_zp = dynamic_quantize_linear(x)
        w_q = inits[mmi.input[1]].astype(np.float32)
        w_scale = inits[mmi.input[1].replace("_w_q", "_w_scale")]
        y = ((x_q - x_zp) @ (w_q - inits[mmi.input[3]].astype(np.float32))) * (x_scale * w_scale)
        self.assertLess(np.abs(y - x @ self.w1).max(), 0.05 * np.abs(x @ self.w1).max())


if __name__ == "__main__":
    unittest.main()
