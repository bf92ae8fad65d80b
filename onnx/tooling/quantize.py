"""int8 quantization with the `onnx` library only (no onnxruntime in Python).

Dynamic (quantize_model): every MatMul whose second input is a constant [K, N] weight becomes
    DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q, x_zp, W_zp) -> Cast(float) -> Mul(x_scale * W_scale)
which is the node pattern ONNX Runtime's own dynamic quantizer emits and fuses (DynamicQuantizeMatMul).
The activation scale is computed per call over the whole tensor, so an article's scores depend on
the other articles of its batch and on their padding.

Static (quantize_static_model): the activation scale and zero point are constants calibrated
beforehand, written as the standard QDQ pattern
    QuantizeLinear(x) -> DequantizeLinear -> MatMul <- DequantizeLinear(W_q, per column)
which ONNX Runtime fuses into QuantizeLinear + MatMulIntegerToFloat. Every token is quantized with the
same constants whatever its batch holds: batch-invariant like fp32, and without the per-call range
search. Values beyond the calibrated range saturate.

In both, activations are uint8 and weights are signed, one scale per output column (more precision
than one scale per tensor), zero point 0. u8 x s8 is the product that integer dot-product hardware
runs: on a CPU with VNNI or AMX, ONNX Runtime multiplies u8 x s8 about 6x faster than fp32
(`reproduce.py --stages ceiling` on a Xeon with AMX: 2,084 against 350 GFLOP/s), while u8 x u8
falls back to kernels barely faster than fp32. Weights keep 7 bits ([-63, 63]) because CPUs
without VNNI (AVX2, AVX-512 before VNNI) add pairs of u8 x s8 products in 16 bits:
255 * 63 * 2 = 32,130 stays below 32,767, so the sum never saturates and every machine computes
the same integers.

The word-embedding table, about 80% of an int8 MiniLM file left in fp32, is stored as int8 too, one scale per row
(per token): its Gather becomes Gather(int8 table) -> Cast(float) -> Mul(Gather(row scales)). That is a
lookup, not a product, so it keeps all 8 bits; each value is off by at most half its row's step. The
file shrinks about 2.4x; the smaller position and token-type tables stay fp32.

Both then apply graph_rewrites.rewrite_for_onnx_runtime (bias Adds, position embeddings, GELU in its
tanh form: the node patterns ONNX Runtime's CPU optimizer fuses) and write the shapes ONNX shape
inference finds into the graph (value_info): ONNX Runtime fuses a residual Add and its
LayerNormalization into one SkipLayerNormalization only when it knows that both inputs have the same
shape, and the dynamic reshapes of an exported attention hide that from it.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import graph_rewrites

WEIGHT_LEVELS = 63


def quantize_weight(w):
    """(W_q int8 [K, N] in [-63, 63], scale float32 [N]) with W ~= W_q * scale, |error| <= scale / 2."""
    w = np.asarray(w, dtype=np.float32)
    scale = np.abs(w).max(axis=0) / WEIGHT_LEVELS
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.clip(np.round(w / scale), -WEIGHT_LEVELS, WEIGHT_LEVELS).astype(np.int8), scale


EMBEDDING_LEVELS = 127
# A Gather from a constant 2-D table with at least this many rows is a vocabulary's embeddings.
EMBEDDING_MIN_ROWS = 1000


def quantize_embedding(table):
    """(T_q int8 [V, H] in [-127, 127], scale float32 [V, 1]) with T ~= T_q * scale, one scale per row."""
    table = np.asarray(table, dtype=np.float32)
    scale = np.abs(table).max(axis=1, keepdims=True) / EMBEDDING_LEVELS
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.clip(np.round(table / scale), -EMBEDDING_LEVELS, EMBEDDING_LEVELS).astype(np.int8), scale


def quantize_embedding_tables(model):
    """(new model, count): every Gather from a constant vocabulary-sized table reads an int8 table with
    per-row scales instead; the fp32 table is dropped."""
    inits = {t.name: t for t in model.graph.initializer}
    nodes, new_inits, dropped = [], [], set()
    for node in model.graph.node:
        table = inits.get(node.input[0]) if node.op_type == "Gather" else None
        if table is None or len(table.dims) != 2 or table.dims[0] < EMBEDDING_MIN_ROWS or \
                any(a.name == "axis" and a.i != 0 for a in node.attribute):
            nodes.append(node)
            continue
        base = f"{table.name}_int8"
        if table.name not in dropped:
            q, scale = quantize_embedding(numpy_helper.to_array(table))
            new_inits += [numpy_helper.from_array(q, base), numpy_helper.from_array(scale, f"{base}_scale")]
            dropped.add(table.name)
        out = node.output[0]
        nodes.extend([
            helper.make_node("Gather", [base, node.input[1]], [f"{out}_q"], name=f"{out}_gather_q"),
            helper.make_node("Gather", [f"{base}_scale", node.input[1]], [f"{out}_scale"], name=f"{out}_gather_scale"),
            helper.make_node("Cast", [f"{out}_q"], [f"{out}_float"], to=TensorProto.FLOAT, name=f"{out}_cast"),
            helper.make_node("Mul", [f"{out}_float", f"{out}_scale"], [out], name=f"{out}_dequantize"),
        ])
    kept = [t for t in model.graph.initializer if t.name not in dropped]
    return with_graph(model, nodes, kept + new_inits), len(dropped)


def with_graph(model, nodes, initializers):
    """A copy of model whose graph has these nodes and initializers, everything else as it was."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    del out.graph.node[:]
    out.graph.node.extend(nodes)
    del out.graph.initializer[:]
    out.graph.initializer.extend(initializers)
    return out


def quantize_model(model):
    """Return a new ModelProto with every constant-weight MatMul replaced by the dynamic integer pattern."""
    zp_name = "quant_weight_zero_point"
    quantized_inputs = {}

    def rewrite(node, w, base, nodes, inits):
        x = node.input[0]
        if x not in quantized_inputs:
            # One DynamicQuantizeLinear per activation, shared by e.g. the query/key/value MatMuls.
            q = (f"{base}_x_q", f"{base}_x_scale", f"{base}_x_zp")
            nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(q), name=f"{base}_dql"))
            quantized_inputs[x] = q
        x_q, x_scale, x_zp = quantized_inputs[x]
        w_q, w_scale = quantize_weight(w)
        inits.append(numpy_helper.from_array(w_q, f"{base}_w_q"))
        inits.append(numpy_helper.from_array(w_scale, f"{base}_w_scale"))
        nodes.extend([
            helper.make_node("MatMulInteger", [x_q, f"{base}_w_q", x_zp, zp_name], [f"{base}_int32"], name=f"{base}_mmi"),
            helper.make_node("Cast", [f"{base}_int32"], [f"{base}_float"], to=TensorProto.FLOAT, name=f"{base}_cast"),
            helper.make_node("Mul", [x_scale, f"{base}_w_scale"], [f"{base}_scale"], name=f"{base}_scale_mul"),
            helper.make_node("Mul", [f"{base}_float", f"{base}_scale"], [node.output[0]], name=f"{base}_out_mul"),
        ])

    # MatMulInteger and DynamicQuantizeLinear need opset >= 10; the exports use 14.
    return _rewrite_weight_matmuls(model, rewrite, [numpy_helper.from_array(np.array(0, dtype=np.int8), zp_name)])


def activation_quantization(low, high):
    """(scale, zero point) of asymmetric uint8 over [low, high], a range that holds 0 so that 0 is exact."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    scale = (high - low) / 255.0 if high > low else 1.0
    zero_point = int(np.clip(np.round(-low / scale), 0, 255))
    return np.float32(scale), np.uint8(zero_point)


def quantize_static_model(model, range_of):
    """Return a new ModelProto with every constant-weight MatMul in the static QDQ pattern.

    range_of(weight) gives the calibrated (low, high) of the activation that multiplies weight, a
    float32 [K, N] array; it is asked at the first MatMul of each activation.
    """
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset < 13:
        raise ValueError(f"per-column DequantizeLinear needs opset >= 13, the model has {opset}")
    dequantized_inputs = {}

    def rewrite(node, w, base, nodes, inits):
        x = node.input[0]
        if x not in dequantized_inputs:
            # One QuantizeLinear per activation, shared by e.g. the query/key/value MatMuls, which see
            # the same input and so were calibrated with the same range.
            scale, zero_point = activation_quantization(*range_of(w))
            params = [f"{base}_x_scale", f"{base}_x_zp"]
            inits.append(numpy_helper.from_array(np.array(scale), params[0]))
            inits.append(numpy_helper.from_array(np.array(zero_point), params[1]))
            nodes.append(helper.make_node("QuantizeLinear", [x, *params], [f"{base}_x_q"], name=f"{base}_ql"))
            nodes.append(helper.make_node("DequantizeLinear", [f"{base}_x_q", *params], [f"{base}_x_dq"],
                                          name=f"{base}_x_dql"))
            dequantized_inputs[x] = f"{base}_x_dq"
        w_q, w_scale = quantize_weight(w)
        inits.append(numpy_helper.from_array(w_q, f"{base}_w_q"))
        inits.append(numpy_helper.from_array(w_scale, f"{base}_w_scale"))
        inits.append(numpy_helper.from_array(np.zeros(w_scale.shape, np.int8), f"{base}_w_zp"))
        nodes.extend([
            helper.make_node("DequantizeLinear", [f"{base}_w_q", f"{base}_w_scale", f"{base}_w_zp"], [f"{base}_w_dq"],
                             axis=1, name=f"{base}_w_dql"),
            helper.make_node("MatMul", [dequantized_inputs[x], f"{base}_w_dq"], [node.output[0]], name=f"{base}_mm"),
        ])

    return _rewrite_weight_matmuls(model, rewrite)


def _rewrite_weight_matmuls(model, rewrite, new_inits=()):
    """(new model, count): rewrite(node, weight array, name prefix, nodes, initializers) replaces every
    MatMul by a constant 2-D weight, appending its nodes and initializers; the weight itself is dropped
    and every other node is kept in order."""
    inits = {t.name: t for t in model.graph.initializer}
    nodes, new_inits, dropped = [], list(new_inits), set()
    count = 0
    for node in model.graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2:
            nodes.append(node)
            continue
        count += 1
        dropped.add(weight.name)
        rewrite(node, numpy_helper.to_array(weight), f"quant_{count}", nodes, new_inits)
    kept = [t for t in model.graph.initializer if t.name not in dropped]
    out, _ = graph_rewrites.rewrite_for_onnx_runtime(with_graph(model, nodes, kept + new_inits))
    return out, count


def quantize_file(src, dst, range_of=None):
    """Dynamic int8, or static int8 with the calibrated ranges of range_of."""
    model = onnx.load(src)
    model, count = quantize_model(model) if range_of is None else quantize_static_model(model, range_of)
    model, _ = quantize_embedding_tables(model)
    onnx.save(model, dst)
    return count
