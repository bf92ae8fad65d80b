"""What a BERT classifier costs in floating-point operations, and the fastest this CPU multiplies
matrices: together they bound how many articles per second any runtime can reach here.

    /usr/bin/python3 onnx/tooling/compute.py --matmul-model OUT.onnx --k 384 --n 1536

writes the one-MatMul graph that `OrtBench.java --mode matmul` times (the ceiling), shaped like the
encoder's feed-forward layer, the largest matrix product of a BERT layer.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def forward_flops(model, sequence_length):
    """Floating-point operations (a multiply-add is two) of one sequence of sequence_length tokens.

    Counts every matrix product, which is nearly all of a BERT's work: a MatMul by a weight
    initializer [in, out] costs 2*in*out per token; a MatMul of two activations is attention (scores
    or weighted values) and costs 2*length*length*hidden per sequence, hidden being the model width;
    an int8 MatMulInteger by a quantized weight, or a MatMul by a dequantized one (static int8's QDQ
    pattern), counts as the product it replaces; a Gemm is the classification head on the pooled
    vector, once per sequence. Element-wise work (softmax, LayerNorm, GELU) is left out: at BERT sizes
    it is a few percent of the products.
    """
    weights = _weight_shapes(model)
    per_token = 0
    per_sequence = 0
    attention_products = 0
    hidden = None
    for node in model.graph.node:
        if node.op_type in ("MatMul", "MatMulInteger"):
            if node.input[1] in weights:
                rows, cols = weights[node.input[1]]
                per_token += 2 * rows * cols
                hidden = hidden or rows
            elif node.input[0] not in weights:
                attention_products += 1
        elif node.op_type == "Gemm":
            per_sequence += 2 * int(np.prod(weights[node.input[1]]))
    if attention_products and hidden is None:
        raise ValueError("attention products found but no weight MatMul to read the model width from")
    return (sequence_length * per_token + attention_products * 2 * sequence_length ** 2 * (hidden or 0)
            + per_sequence)


def _weight_shapes(model):
    """Shapes of the initializers, and of what DequantizeLinear makes of an initializer (a weight too)."""
    weights = {i.name: list(i.dims) for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0] in weights:
            weights[node.output[0]] = weights[node.input[0]]
    return weights


def attention_layers(model):
    """Transformer layers of a BERT graph: one Softmax (over the attention scores) per layer."""
    return sum(1 for node in model.graph.node if node.op_type == "Softmax")


def feed_forward_shape(model):
    """(in, out) of the largest weight a MatMul multiplies by: the feed-forward expansion of a BERT."""
    weights = _weight_shapes(model)
    shapes = [weights[n.input[1]] for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    return tuple(max(shapes, key=lambda s: s[0] * s[1]))


def matmul_model(k, n, seed=0):
    """x [rows, k] times a random weight [k, n]; rows is dynamic."""
    weight = np.random.default_rng(seed).standard_normal((k, n)).astype(np.float32) / np.sqrt(k)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "weight"], ["y"])], "matmul-ceiling",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", n])],
        [numpy_helper.from_array(weight, "weight")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matmul-model", required=True, help="where to write the one-MatMul graph")
    parser.add_argument("--k", type=int, required=True, help="inner dimension (the model width)")
    parser.add_argument("--n", type=int, required=True, help="output dimension (the feed-forward width)")
    args = parser.parse_args()
    onnx.save(matmul_model(args.k, args.n), args.matmul_model)


if __name__ == "__main__":
    main()
