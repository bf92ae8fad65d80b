"""Rewrites of an exported BERT graph into the forms ONNX Runtime's CPU optimizer fuses.

ONNX Runtime fuses subgraphs by matching fixed node patterns, and torch's export misses three of
them (measured with ONNX Runtime's profiler on the int8 default, batches of 32 validation texts):

- **Bias Adds.** torch writes a Linear's bias as Add(bias, x); ONNX Runtime folds the bias of the
  projection before a residual into SkipLayerNormalization only as Add(x, bias). Swapping the inputs
  of every Add whose constant comes first is exact (floating-point addition commutes).
- **Position embeddings.** torch gathers them with Range(0, sequence length) as [1, sequence, hidden],
  and the embedding LayerNormalization stays unfused (as slow as about four SkipLayerNormalizations)
  because its Add broadcasts over the batch. CumSum over a row of ones shaped like input_ids gives the
  same positions as [batch, sequence]; with word + token type added first and the positions last,
  ONNX Runtime fuses the sum and its LayerNormalization into SkipLayerNormalization. The sum is the same
  up to rounding of the reordered addition.
- **GELU.** The erf form 0.5 x (1 + erf(x / sqrt 2)) becomes BiasGelu, which takes about 30% longer
  than FastGelu, its tanh form 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))). The two differ by at
  most 4.7e-4 (at |x| = 2.7): far below an int8 quantization step of the activations they feed, which
  is why only the int8 graphs (quantize.py) take this approximation and the fp32 export stays exact.

Each rewrite leaves a graph without its pattern unchanged, so applying them twice changes nothing.
"""
import math

import numpy as np
import onnx
from onnx import helper, numpy_helper

# ONNX Runtime's FastGeluFusion matches these float32 constants exactly.
GELU_CUBIC = 0.044715
GELU_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_TANH_MAX_DEVIATION = 4.8e-4


def rewrite_for_onnx_runtime(model, tanh_gelu=True):
    """(new model, counts): the rewrites above, with the shapes ONNX shape inference finds written back."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = _Graph(out.graph)
    counts = {"bias_adds": _bias_second(graph), "position_embeddings": _positions_from_input_ids(graph),
              "tanh_gelu": _tanh_gelu(graph) if tanh_gelu else 0}
    graph.drop_unused_nodes()
    graph.commit()
    # Rewritten tensors change shape: old annotations would contradict the new graph.
    del out.graph.value_info[:]
    out = onnx.shape_inference.infer_shapes(out, data_prop=True)
    onnx.checker.check_model(out)
    return out, counts


class _Graph:
    """Node lists and lookups of a GraphProto, edited as a list and written back by commit()."""

    def __init__(self, graph):
        self.proto = graph
        self.nodes = list(graph.node)
        self.initializers = {t.name: t for t in graph.initializer}
        self.new_initializers = []

    def producer(self, name):
        return next((n for n in self.nodes if name in n.output), None)

    def consumers(self, name):
        return [n for n in self.nodes if name in n.input]

    def only_consumer(self, name):
        found = self.consumers(name)
        outputs = {o.name for o in self.proto.output}
        return found[0] if len(found) == 1 and name not in outputs else None

    def constant(self, name):
        """The value of an initializer or Constant node output, else None."""
        if name in self.initializers:
            return numpy_helper.to_array(self.initializers[name])
        node = self.producer(name)
        if node is not None and node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            return numpy_helper.to_array(node.attribute[0].t)
        return None

    def scalar(self, value, dtype=np.float32):
        """An initializer holding a scalar, shared by every rewrite that needs the same one."""
        key = f"rewrite_{np.dtype(dtype).name}_{value!r}"
        if key not in self.initializers:
            tensor = numpy_helper.from_array(np.array(value, dtype=dtype), key)
            self.initializers[key] = tensor
            self.new_initializers.append(tensor)
        return key

    def replace(self, old_nodes, new_nodes):
        """Put new_nodes where the last of old_nodes was (their inputs are computed by then)."""
        at = max(self.nodes.index(n) for n in old_nodes)
        kept_before = [n for n in self.nodes[:at] if n not in old_nodes]
        self.nodes = kept_before + new_nodes + self.nodes[at + 1:]

    def drop_unused_nodes(self):
        """Remove nodes none of whose outputs is read (what a rewrite left behind), until none is left."""
        outputs = {o.name for o in self.proto.output}
        while True:
            read = {i for n in self.nodes for i in n.input} | outputs
            kept = [n for n in self.nodes if any(o in read for o in n.output)]
            if len(kept) == len(self.nodes):
                return
            self.nodes = kept

    def commit(self):
        del self.proto.node[:]
        self.proto.node.extend(self.nodes)
        self.proto.initializer.extend(self.new_initializers)
        self.new_initializers = []


def _is_scalar(value, expected, tolerance=1e-6):
    return value is not None and value.size == 1 and abs(float(value.reshape(-1)[0]) - expected) <= tolerance


def _bias_second(graph):
    count = 0
    for node in graph.nodes:
        if node.op_type == "Add" and graph.constant(node.input[0]) is not None \
                and graph.constant(node.input[1]) is None:
            node.input[0], node.input[1] = node.input[1], node.input[0]
            count += 1
    return count


def _positions_from_input_ids(graph):
    """Range(0, n, 1) -> Unsqueeze -> Gather(table) becomes Gather(table, CumSum of ones like the ids)."""
    count = 0
    for rng in [n for n in graph.nodes if n.op_type == "Range"]:
        start, delta = graph.constant(rng.input[0]), graph.constant(rng.input[2])
        unsqueeze = graph.only_consumer(rng.output[0])
        if not (_is_scalar(start, 0) and _is_scalar(delta, 1)) or unsqueeze is None \
                or unsqueeze.op_type != "Unsqueeze":
            continue
        gather = graph.only_consumer(unsqueeze.output[0])
        ids = _shape_source(graph, rng.input[1])
        if gather is None or gather.op_type != "Gather" or gather.input[1] != unsqueeze.output[0] \
                or gather.input[0] not in graph.initializers or ids is None:
            continue
        base = gather.name or gather.output[0]
        zeros, ones, positions = (f"{base}/ids_times_zero", f"{base}/ones_like_ids", f"{base}/position_ids")
        new_nodes = [
            helper.make_node("Mul", [ids, graph.scalar(0, np.int64)], [zeros], name=zeros),
            helper.make_node("Add", [zeros, graph.scalar(1, np.int64)], [ones], name=ones),
            # exclusive: the running count before each token, 0 for the first.
            helper.make_node("CumSum", [ones, graph.scalar(1, np.int64)], [positions], name=positions,
                             exclusive=1),
        ]
        at = graph.nodes.index(gather)
        graph.nodes[at:at] = new_nodes
        gather.input[1] = positions
        _add_positions_last(graph, gather.output[0])
        count += 1
    return count


def _shape_source(graph, limit):
    """The tensor whose axis-1 length limit is, through Cast(Gather(Shape(x), 1)), else None."""
    node = graph.producer(limit)
    while node is not None and node.op_type == "Cast":
        node = graph.producer(node.input[0])
    if node is None or node.op_type != "Gather" or not _is_scalar(graph.constant(node.input[1]), 1):
        return None
    shape = graph.producer(node.input[0])
    return shape.input[0] if shape is not None and shape.op_type == "Shape" else None


def _add_positions_last(graph, positions):
    """Add(Add(words, positions), c) with c a 1-D constant becomes Add(Add(words, c), positions)."""
    first = graph.only_consumer(positions)
    if first is None or first.op_type != "Add":
        return
    second = graph.only_consumer(first.output[0])
    if second is None or second.op_type != "Add" or second.input[0] != first.output[0]:
        return
    constant = graph.constant(second.input[1])
    if constant is None or constant.ndim != 1:
        return
    words = first.input[1] if first.input[0] == positions else first.input[0]
    first.input[:] = [words, second.input[1]]
    second.input[:] = [first.output[0], positions]


def _tanh_gelu(graph):
    """Div(x, sqrt 2) -> Erf -> Add 1 -> Mul x -> Mul 0.5 becomes the tanh form ONNX Runtime fuses."""
    count = 0
    for erf in [n for n in graph.nodes if n.op_type == "Erf"]:
        div = graph.producer(erf.input[0])
        if div is None or div.op_type != "Div" or not _is_scalar(graph.constant(div.input[1]), math.sqrt(2), 1e-5):
            continue
        x = div.input[0]
        plus_one = graph.only_consumer(erf.output[0])
        if plus_one is None or plus_one.op_type != "Add" or not _is_scalar(graph.constant(_other(plus_one, erf.output[0])), 1):
            continue
        times_x = graph.only_consumer(plus_one.output[0])
        if times_x is None or times_x.op_type != "Mul" or _other(times_x, plus_one.output[0]) != x:
            continue
        half = graph.only_consumer(times_x.output[0])
        if half is None or half.op_type != "Mul" or not _is_scalar(graph.constant(_other(half, times_x.output[0])), 0.5):
            continue
        if graph.only_consumer(div.output[0]) is not erf:
            continue
        p = f"{erf.name or erf.output[0]}/tanh_gelu"
        new_nodes = [
            helper.make_node("Pow", [x, graph.scalar(3.0)], [f"{p}/cube"], name=f"{p}/cube"),
            helper.make_node("Mul", [f"{p}/cube", graph.scalar(GELU_CUBIC)], [f"{p}/cubic"], name=f"{p}/cubic"),
            helper.make_node("Add", [x, f"{p}/cubic"], [f"{p}/inner"], name=f"{p}/inner"),
            helper.make_node("Mul", [f"{p}/inner", graph.scalar(GELU_SQRT_2_OVER_PI)], [f"{p}/scaled"],
                             name=f"{p}/scaled"),
            helper.make_node("Tanh", [f"{p}/scaled"], [f"{p}/tanh"], name=f"{p}/tanh"),
            helper.make_node("Add", [f"{p}/tanh", graph.scalar(1.0)], [f"{p}/one_plus_tanh"],
                             name=f"{p}/one_plus_tanh"),
            helper.make_node("Mul", [x, graph.scalar(0.5)], [f"{p}/half_x"], name=f"{p}/half_x"),
            helper.make_node("Mul", [f"{p}/half_x", f"{p}/one_plus_tanh"], [half.output[0]], name=f"{p}/out"),
        ]
        graph.replace([div, erf, plus_one, times_x, half], new_nodes)
        count += 1
    return count


def _other(node, name):
    return node.input[1] if node.input[0] == name else node.input[0]
