import json
import os
import sys
import unittest

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import graph_rewrites  # noqa: E402
import quantize  # noqa: E402


def tiny_model(w1, w2, opset=14):
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
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


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
        self.assertEqual(q.dtype, np.int8)
        self.assertEqual(scale.shape, (5,))
        restored = q.astype(np.float32) * scale
        self.assertTrue(np.all(np.abs(restored - self.w1) <= scale / 2 + 1e-7))
        self.assertTrue(np.all(np.abs(q.astype(int)).max(axis=0) == 63), "each column uses its full range")

    def test_pairs_of_weight_products_fit_sixteen_bits(self):
        # What CPUs without VNNI compute first: the sum of two adjacent u8 x s8 products, in int16.
        q, _ = quantize.quantize_weight(np.random.default_rng(2).standard_t(2, size=(64, 8)).astype(np.float32))
        worst = 255 * np.abs(q[0::2].astype(int)) + 255 * np.abs(q[1::2].astype(int))
        self.assertLessEqual(int(worst.max()), 32767)

    def test_weights_and_their_zero_point_are_signed(self):
        # u8 activations x s8 weights is the product VNNI and AMX kernels run.
        model, _ = quantize.quantize_model(tiny_model(self.w1, self.w2))
        inits = {t.name: t for t in model.graph.initializer}
        mmi = next(n for n in model.graph.node if n.op_type == "MatMulInteger")
        self.assertEqual(inits[mmi.input[1]].data_type, TensorProto.INT8)
        self.assertEqual(inits[mmi.input[3]].data_type, TensorProto.INT8)
        self.assertEqual(int(numpy_helper.to_array(inits[mmi.input[3]])), 0)

    def test_writes_the_shapes_it_infers(self):
        for model, _ in (quantize.quantize_model(tiny_model(self.w1, self.w2)),
                         quantize.quantize_static_model(tiny_model(self.w1, self.w2), lambda w: (-3.0, 3.0))):
            shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in model.graph.value_info}
            self.assertEqual(shapes["hb"], [2, 3, 5], "the input of the second MatMul, behind the first one's rewrite")

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


def quantize_linear(x, scale, zero_point):
    """numpy reference of ONNX QuantizeLinear (uint8, round half to even, saturating)."""
    return np.clip(np.round(x / scale) + zero_point, 0, 255)


class StaticQuantizeTest(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(0)
        self.w1 = rng.normal(size=(4, 5)).astype(np.float32)
        self.w2 = rng.normal(size=(5, 2)).astype(np.float32)
        self.ranges = {self.w1.tobytes(): (-3.0, 3.0), self.w2.tobytes(): (-1.0, 8.0)}

    def range_of(self, weight):
        return self.ranges[weight.tobytes()]

    def test_rewrites_constant_matmuls_into_the_qdq_pattern(self):
        model, count = quantize.quantize_static_model(tiny_model(self.w1, self.w2), self.range_of)
        ops = [n.op_type for n in model.graph.node]
        self.assertEqual(count, 2)
        self.assertEqual(ops.count("QuantizeLinear"), 2)
        self.assertEqual(ops.count("DequantizeLinear"), 4, "two activations and two weights")
        self.assertEqual(ops.count("MatMul"), 3, "two on dequantized operands, the activation x activation one as it was")
        self.assertNotIn("DynamicQuantizeLinear", ops)
        names = {t.name for t in model.graph.initializer}
        self.assertNotIn("W1", names)
        self.assertNotIn("W2", names)
        self.assertEqual([o.name for o in model.graph.output], ["y", "gram"])

    def test_activation_constants_come_from_the_calibrated_range_of_each_weight(self):
        model, _ = quantize.quantize_static_model(tiny_model(self.w1, self.w2), self.range_of)
        inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        scales = [float(inits[n.input[1]]) for n in model.graph.node if n.op_type == "QuantizeLinear"]
        zero_points = [int(inits[n.input[2]]) for n in model.graph.node if n.op_type == "QuantizeLinear"]
        self.assertAlmostEqual(scales[0], 6.0 / 255, places=7)
        self.assertAlmostEqual(scales[1], 9.0 / 255, places=7)
        self.assertEqual(zero_points, [128, 28])

    def test_qdq_pattern_approximates_float_matmul_within_the_calibrated_range(self):
        model, _ = quantize.quantize_static_model(tiny_model(self.w1, self.w2), self.range_of)
        inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        ql = next(n for n in model.graph.node if n.op_type == "QuantizeLinear" and n.input[0] == "x")
        w_dql = next(n for n in model.graph.node if n.op_type == "DequantizeLinear" and n.input[0] in inits)
        x = np.clip(np.random.default_rng(1).normal(size=(2, 3, 4)), -3, 3).astype(np.float32)
        scale, zero_point = inits[ql.input[1]], inits[ql.input[2]].astype(np.float32)
        x_dq = (quantize_linear(x, scale, zero_point) - zero_point) * scale
        w_q, w_scale, w_zp = (inits[name].astype(np.float32) for name in w_dql.input)
        y = x_dq @ ((w_q - w_zp) * w_scale)
        self.assertLess(np.abs(y - x @ self.w1).max(), 0.05 * np.abs(x @ self.w1).max())

    def test_a_range_holds_zero_exactly(self):
        for low, high in [(0.5, 2.0), (-2.0, -0.5), (-0.17, 24.6), (0.0, 0.0)]:
            scale, zero_point = quantize.activation_quantization(low, high)
            self.assertEqual(float(quantize_linear(np.float32(0.0), scale, zero_point) - zero_point), 0.0)
            self.assertGreater(scale, 0)

    def test_refuses_an_opset_without_per_column_dequantization(self):
        with self.assertRaises(ValueError):
            quantize.quantize_static_model(tiny_model(self.w1, self.w2, opset=12), self.range_of)


SHIPPED = os.path.join(os.path.dirname(__file__), "..", "..", "models")


class ShippedInt8Test(unittest.TestCase):
    """The int8 models that ship are in the format quantize.py writes today."""

    def shipped_int8(self):
        for folder in sorted(os.listdir(SHIPPED)):
            with open(os.path.join(SHIPPED, folder, "config.json")) as f:
                if json.load(f)["precision"].startswith("int8"):
                    yield folder, onnx.load(os.path.join(SHIPPED, folder, "model.onnx"))

    def test_weights_are_seven_bit_signed_integers(self):
        folders = []
        for folder, model in self.shipped_int8():
            folders.append(folder)
            inits = {t.name: t for t in model.graph.initializer}
            weights = [inits[n.input[0]] for n in model.graph.node
                       if n.op_type == "DequantizeLinear" and n.input[0] in inits]
            self.assertTrue(weights, folder)
            for w in weights:
                self.assertEqual(w.data_type, TensorProto.INT8, f"{folder}: {w.name}")
                self.assertLessEqual(int(np.abs(numpy_helper.to_array(w).astype(int)).max()),
                                     quantize.WEIGHT_LEVELS, f"{folder}: {w.name}")
        self.assertIn("default", folders)

    def test_carry_the_shapes_that_let_onnx_runtime_fuse_layer_norms(self):
        for folder, model in self.shipped_int8():
            shaped = {v.name for v in model.graph.value_info if v.type.tensor_type.shape.dim}
            norm_inputs = [n.input[0] for n in model.graph.node if n.op_type == "ReduceMean"]
            self.assertTrue(norm_inputs, folder)
            self.assertTrue(set(norm_inputs) <= shaped, folder)

    def test_are_in_the_forms_onnx_runtime_fuses(self):
        for folder, model in self.shipped_int8():
            _, counts = graph_rewrites.rewrite_for_onnx_runtime(model)
            self.assertEqual(counts, {"bias_adds": 0, "position_embeddings": 0, "tanh_gelu": 0}, folder)


if __name__ == "__main__":
    unittest.main()


def embedding_model(table, positions):
    """ids -> Gather(word table) + Gather(position table): the embedding layer of an encoder."""
    nodes = [helper.make_node("Gather", ["words", "ids"], ["w"]),
             helper.make_node("Gather", ["positions", "ids"], ["p"]),
             helper.make_node("Add", ["w", "p"], ["e"])]
    graph = helper.make_graph(
        nodes, "embeddings", [helper.make_tensor_value_info("ids", TensorProto.INT64, [2, 3])],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, [2, 3, table.shape[1]])],
        [numpy_helper.from_array(table, "words"), numpy_helper.from_array(positions, "positions")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


class EmbeddingQuantizationTest(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(3)
        self.table = (rng.normal(size=(1200, 8)) * rng.uniform(0.01, 2, size=(1200, 1))).astype(np.float32)
        self.positions = rng.normal(size=(16, 8)).astype(np.float32)

    def test_each_row_round_trips_within_half_its_own_step(self):
        q, scale = quantize.quantize_embedding(self.table)
        self.assertEqual((q.dtype, scale.shape), (np.int8, (1200, 1)))
        self.assertTrue(np.all(np.abs(q.astype(np.float32) * scale - self.table) <= scale / 2 + 1e-7))
        self.assertTrue(np.all(np.abs(q.astype(int)).max(axis=1) == 127), "each row uses its full range")

    def test_stores_the_vocabulary_table_as_int8_and_keeps_small_tables(self):
        model, count = quantize.quantize_embedding_tables(embedding_model(self.table, self.positions))
        inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        self.assertEqual(count, 1)
        self.assertEqual(sorted(inits), ["positions", "words_int8", "words_int8_scale"])
        self.assertEqual(inits["words_int8"].dtype, np.int8)
        self.assertEqual([n.op_type for n in model.graph.node], ["Gather", "Gather", "Cast", "Mul", "Gather", "Add"])
        onnx.checker.check_model(model)

    def test_the_lookup_it_writes_gives_the_rows_back(self):
        model, _ = quantize.quantize_embedding_tables(embedding_model(self.table, self.positions))
        inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        ids = np.array([[0, 5, 1199], [7, 7, 3]])
        # The nodes it wrote, evaluated in numpy: Gather(q) -> Cast -> Mul(Gather(scale)).
        looked_up = inits["words_int8"][ids].astype(np.float32) * inits["words_int8_scale"][ids]
        _, scale = quantize.quantize_embedding(self.table)
        self.assertTrue(np.all(np.abs(looked_up - self.table[ids]) <= scale[ids] / 2 + 1e-7))
