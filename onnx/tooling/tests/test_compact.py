import os
import sys
import unittest

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import compact  # noqa: E402


def encoder_like(rng):
    """ids -> Gather(words [1200, 8]) -> MatMul(W [8, 1024]) -> Add(bias [1024]) -> logits."""
    nodes = [helper.make_node("Gather", ["words", "ids"], ["e"]),
             helper.make_node("MatMul", ["e", "W"], ["h"]),
             helper.make_node("Add", ["h", "bias"], ["logits"])]
    inits = {"words": rng.normal(size=(1200, 8)), "W": rng.normal(size=(8, 1024)) * 0.05,
             "bias": rng.normal(size=1024)}
    graph = helper.make_graph(
        nodes, "encoder", [helper.make_tensor_value_info("ids", TensorProto.INT64, [2, 3])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [2, 3, 1024])],
        [numpy_helper.from_array(v.astype(np.float32), k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


class CompactStorageTest(unittest.TestCase):
    def setUp(self):
        self.model = encoder_like(np.random.default_rng(5))
        self.compacted, self.halved, self.tables = compact.compact_model(self.model)
        self.inits = {t.name: numpy_helper.to_array(t) for t in self.compacted.graph.initializer}

    def test_stores_large_weights_as_float16_read_through_a_cast_and_keeps_small_ones(self):
        self.assertEqual((self.halved, self.tables), (1, 1))
        self.assertEqual(self.inits["W_float16"].dtype, np.float16)
        self.assertEqual(self.inits["bias"].dtype, np.float32)
        self.assertNotIn("W", self.inits)
        cast = self.compacted.graph.node[0]
        self.assertEqual((cast.op_type, list(cast.input), list(cast.output)), ("Cast", ["W_float16"], ["W"]))
        self.assertEqual(cast.attribute[0].i, TensorProto.FLOAT)
        onnx.checker.check_model(self.compacted)

    def test_each_weight_moves_by_at_most_float16_rounding(self):
        original = numpy_helper.to_array(next(t for t in self.model.graph.initializer if t.name == "W"))
        restored = self.inits["W_float16"].astype(np.float32)
        self.assertTrue(np.all(np.abs(restored - original) <= np.abs(original) * 2.0 ** -11 + 1e-8))

    def test_the_vocabulary_table_is_stored_as_in_the_int8_model(self):
        self.assertEqual(self.inits["words_int8"].dtype, np.int8)
        self.assertEqual(self.inits["words_int8_scale"].shape, (1200, 1))

    def test_the_file_is_much_smaller(self):
        self.assertLess(len(self.compacted.SerializeToString()), 0.5 * len(self.model.SerializeToString()))
