"""Dynamic int8 quantization with the `onnx` library only (no onnxruntime in Python).

Every MatMul whose second input is a constant [K, N] weight becomes
    DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q, x_zp, W_zp) -> Cast(float) -> Mul(x_scale * W_scale)
which is the node pattern ONNX Runtime's own dynamic quantizer emits and fuses (MatMulIntegerToFloat).
Weights are uint8 with zero point 128 (symmetric) and one scale per output column: u8 x u8 avoids
the int16 saturation of u8 x s8 kernels on AVX2 machines without VNNI, and per-column scales keep
more precision than one scale per tensor. Embedding tables (Gather) stay fp32.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WEIGHT_ZERO_POINT = 128


def quantize_weight(w):
    """(W_q uint8 [K, N], scale float32 [N]) with W ~= (W_q - 128) * scale, |error| <= scale / 2."""
    w = np.asarray(w, dtype=np.float32)
    scale = np.abs(w).max(axis=0) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127) + WEIGHT_ZERO_POINT
    return q.astype(np.uint8), scale


def quantize_model(model):
    """Return a new ModelProto with every constant-weight MatMul replaced by the integer pattern."""
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    quantized_inputs = {}
    new_nodes, new_inits, dropped = [], [], set()
    zp_name = "quant_weight_zero_point"
    new_inits.append(numpy_helper.from_array(np.array(WEIGHT_ZERO_POINT, dtype=np.uint8), zp_name))
    count = 0
    for node in graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2:
            new_nodes.append(node)
            continue
        count += 1
        x = node.input[0]
        base = f"quant_{count}"
        if x not in quantized_inputs:
            # One DynamicQuantizeLinear per activation, shared by e.g. the query/key/value MatMuls.
            q = (f"{base}_x_q", f"{base}_x_scale", f"{base}_x_zp")
            new_nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(q), name=f"{base}_dql"))
            quantized_inputs[x] = q
        x_q, x_scale, x_zp = quantized_inputs[x]
        w_q, w_scale = quantize_weight(numpy_helper.to_array(weight))
        new_inits.append(numpy_helper.from_array(w_q, f"{base}_w_q"))
        new_inits.append(numpy_helper.from_array(w_scale, f"{base}_w_scale"))
        dropped.add(weight.name)
        new_nodes.extend([
            helper.make_node("MatMulInteger", [x_q, f"{base}_w_q", x_zp, zp_name], [f"{base}_int32"], name=f"{base}_mmi"),
            helper.make_node("Cast", [f"{base}_int32"], [f"{base}_float"], to=TensorProto.FLOAT, name=f"{base}_cast"),
            helper.make_node("Mul", [x_scale, f"{base}_w_scale"], [f"{base}_scale"], name=f"{base}_scale_mul"),
            helper.make_node("Mul", [f"{base}_float", f"{base}_scale"], [node.output[0]], name=f"{base}_out_mul"),
        ])
    out = onnx.ModelProto()
    out.CopyFrom(model)
    del out.graph.node[:]
    out.graph.node.extend(new_nodes)
    kept = [t for t in graph.initializer if t.name not in dropped]
    del out.graph.initializer[:]
    out.graph.initializer.extend(kept + new_inits)
    # MatMulInteger and DynamicQuantizeLinear need opset >= 10; the exports use 14.
    onnx.checker.check_model(out)
    return out, count


def quantize_file(src, dst):
    model, count = quantize_model(onnx.load(src))
    onnx.save(model, dst)
    return count
