import json
import os
import sys
import tempfile
import unittest

import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import explain_outputs  # noqa: E402


def two_layer_graph():
    """Two attention blocks (Softmax -> MatMul with the values) and a final Softmax over the logits, which is not
    attention."""
    nodes = []
    hidden = "x"
    for layer in range(2):
        nodes += [helper.make_node("MatMul", [hidden, hidden], [f"scores{layer}"]),
                  helper.make_node("Softmax", [f"scores{layer}"], [f"probs{layer}"], axis=-1),
                  helper.make_node("MatMul", [f"probs{layer}", hidden], [f"h{layer}"])]
        hidden = f"h{layer}"
    nodes.append(helper.make_node("Softmax", [hidden], ["probabilities"], axis=-1))
    graph = helper.make_graph(nodes, "two-layers", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 4])],
                              [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [4, 4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


class ExplainOutputsTest(unittest.TestCase):
    """The explain entry names each layer's attention probabilities, bottom first, and nothing else."""

    def setUp(self):
        self.folder = tempfile.mkdtemp()
        onnx.save(two_layer_graph(), os.path.join(self.folder, "model.onnx"))

    def test_names_the_softmax_that_feeds_each_attention_matmul_in_layer_order(self):
        names = explain_outputs.attention_outputs(os.path.join(self.folder, "model.onnx"))

        self.assertEqual(names, ["probs0", "probs1"])

    def test_adds_the_entry_to_a_shipped_config_and_keeps_the_rest(self):
        with open(os.path.join(self.folder, "config.json"), "w") as f:
            json.dump({"model_name": "m", "model_version": "1.0.0"}, f)

        explain_outputs.add_to_config(self.folder)
        explain_outputs.add_to_config(self.folder)

        with open(os.path.join(self.folder, "config.json")) as f:
            config = json.load(f)
        self.assertEqual(config["model_name"], "m")
        self.assertEqual(config[explain_outputs.CONFIG_KEY]["attention_outputs"], ["probs0", "probs1"])

    def test_refuses_a_model_without_attention(self):
        graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "no-attention",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
        path = os.path.join(self.folder, "plain.onnx")
        onnx.save(helper.make_model(graph), path)

        with self.assertRaisesRegex(ValueError, "no attention softmax"):
            explain_outputs.attention_outputs(path)


if __name__ == "__main__":
    unittest.main()
