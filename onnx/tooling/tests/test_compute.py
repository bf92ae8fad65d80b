import os
import sys
import unittest

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import compute  # noqa: E402
import quantize  # noqa: E402


def tiny_encoder():
    """One 'layer' of width 4: a weight MatMul [4, 8], a weight MatMul [8, 4], attention scores and
    weighted values (two MatMuls of activations), then a Gemm head [4 -> 3] on a pooled vector."""
    nodes = [
        helper.make_node("MatMul", ["x", "W_up"], ["up"]),
        helper.make_node("MatMul", ["up", "W_down"], ["down"]),
        helper.make_node("Transpose", ["down"], ["down_t"], perm=[0, 2, 1]),
        helper.make_node("MatMul", ["down", "down_t"], ["scores"]),
        helper.make_node("MatMul", ["scores", "down"], ["context"]),
        helper.make_node("ReduceMean", ["context"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("Gemm", ["pooled", "W_head", "b_head"], ["logits"], transB=1),
    ]
    weights = [numpy_helper.from_array(np.zeros(shape, np.float32), name) for name, shape in
               [("W_up", (4, 8)), ("W_down", (8, 4)), ("W_head", (3, 4)), ("b_head", (3,))]]
    graph = helper.make_graph(
        nodes, "tiny-encoder",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "sequence", 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])], weights)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


class ComputeTest(unittest.TestCase):
    def test_counts_weight_products_per_token_attention_per_sequence_and_the_head_once(self):
        length = 10
        weight_products = length * (2 * 4 * 8 + 2 * 8 * 4)
        attention = 2 * (2 * length * length * 4)
        head = 2 * 3 * 4
        self.assertEqual(compute.forward_flops(tiny_encoder(), length), weight_products + attention + head)

    def test_counts_one_layer_per_attention_softmax(self):
        model = tiny_encoder()
        self.assertEqual(compute.attention_layers(model), 0)
        model.graph.node.insert(4, helper.make_node("Softmax", ["scores"], ["weights"], axis=-1))
        self.assertEqual(compute.attention_layers(model), 1)

    def test_feed_forward_shape_is_the_largest_weight_product(self):
        model = tiny_encoder()
        self.assertEqual(compute.feed_forward_shape(model), (4, 8))

    def test_matmul_model_has_a_dynamic_row_axis_and_the_asked_shape(self):
        model = compute.matmul_model(6, 10)
        onnx.checker.check_model(model)
        x = model.graph.input[0].type.tensor_type.shape.dim
        self.assertEqual([x[0].dim_param, x[1].dim_value], ["rows", 6])
        self.assertEqual(list(model.graph.initializer[0].dims), [6, 10])
        self.assertEqual(compute.forward_flops(model, 1), 2 * 6 * 10)

    def test_matmul_model_quantizes_to_the_int8_pattern_of_the_int8_rungs(self):
        quantized, count = quantize.quantize_model(compute.matmul_model(6, 10))
        self.assertEqual(count, 1)
        self.assertIn("MatMulInteger", [n.op_type for n in quantized.graph.node])

    def test_an_int8_model_costs_the_products_of_its_fp32_source(self):
        source = tiny_encoder()
        quantized, _ = quantize.quantize_model(source)
        self.assertEqual(compute.forward_flops(quantized, 7), compute.forward_flops(source, 7))

    def test_a_static_int8_model_costs_the_products_of_its_fp32_source(self):
        source = tiny_encoder()
        quantized, _ = quantize.quantize_static_model(source, lambda weight: (-1.0, 1.0))
        self.assertEqual(compute.forward_flops(quantized, 7), compute.forward_flops(source, 7))
        self.assertEqual(compute.feed_forward_shape(quantized), compute.feed_forward_shape(source))


if __name__ == "__main__":
    unittest.main()
