"""How an fp32 model is stored: its large weights as float16 and its vocabulary embeddings as int8 rows.

The arithmetic stays float32. Every large float32 weight is kept in the file as float16 and read through a
Cast to float32, which ONNX Runtime folds when the session loads, so the session runs on float32 constants
exactly as before, on a CPU and on a GPU alike. The word-embedding table is stored as the int8 default stores it
(quantize.quantize_embedding_tables: one scale per row), so the fp32 model and its int8 form read the same
embeddings. The file is about a third of the plain export (MiniLM-L6: 90 MB -> 33 MB); each weight moves by at
most one part in 2,048 (float16's 11-bit significand), each embedding value by half its row's int8 step.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import quantize

# Smaller float32 initializers (biases, layer-norm scales, the classification head) stay float32.
FLOAT16_MIN_ELEMENTS = 4096
FLOAT16_MAX = float(np.finfo(np.float16).max)


def compact_model(model):
    """(new model, weights stored as float16, embedding tables stored as int8)."""
    model, tables = quantize.quantize_embedding_tables(model)
    casts, halved = [], []
    for tensor in model.graph.initializer:
        if tensor.data_type != TensorProto.FLOAT or int(np.prod(tensor.dims)) < FLOAT16_MIN_ELEMENTS:
            halved.append(tensor)
            continue
        values = numpy_helper.to_array(tensor)
        if np.abs(values).max() > FLOAT16_MAX:
            halved.append(tensor)
            continue
        stored = f"{tensor.name}_float16"
        halved.append(numpy_helper.from_array(values.astype(np.float16), stored))
        casts.append(helper.make_node("Cast", [stored], [tensor.name], to=TensorProto.FLOAT,
                                      name=f"{tensor.name}_to_float32"))
    return quantize.with_graph(model, casts + list(model.graph.node), halved), len(casts), tables


def compact_file(src, dst):
    model, weights, tables = compact_model(onnx.load(src))
    onnx.save(model, dst)
    return weights, tables
