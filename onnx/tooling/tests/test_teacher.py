import json
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchmarks  # noqa: E402
import distillation  # noqa: E402
from context import Context  # noqa: E402


class ShippedTeacherTest(unittest.TestCase):
    """With no fine-tuned rung in the build, the shipped fp32 model teaches: its logits come from OrtBench, row by
    row in the order of the training, validation and test rows."""

    def setUp(self):
        self.build = tempfile.mkdtemp()
        texts = [f"text {i}" for i in range(10)]
        labels = [i % 4 for i in range(10)]
        prepared = {"texts": texts, "labels": labels, "train_indices": [4, 0, 2, 7], "validation_indices": [1, 5],
                    "test_indices": [3, 6, 8, 9], "token_ids": {"minilm": [[101, i, 102] for i in range(10)]}}
        with open(os.path.join(self.build, "prepared.json"), "w") as f:
            json.dump(prepared, f)
        self.ctx = Context(build=self.build)
        self.scored = []

        def fake_ort_bench(ctx, directory, out_json, mode, *options, threads=2):
            texts_json = options[options.index("--texts") + 1]
            with open(texts_json) as f:
                read = json.load(f)["texts"]
            self.scored.append((directory, read))
            # The teacher is right on every row: its logit is highest at the row's label.
            return {"logits": [np.eye(4)[labels[texts.index(t)]].tolist() for t in read]}

        self.real_ort_bench = benchmarks.ort_bench
        benchmarks.ort_bench = fake_ort_bench

    def tearDown(self):
        benchmarks.ort_bench = self.real_ort_bench

    def test_the_shipped_fp32_model_teaches_when_no_rung_is_trained(self):
        distillation.stage_teacher(self.ctx)

        teacher = distillation.load_teacher(self.ctx)
        self.assertEqual(teacher["members"], [distillation.SHIPPED_TEACHER])
        self.assertEqual(teacher["test"]["accuracy"], 1.0)
        self.assertEqual(teacher["validation"]["accuracy"], 1.0)
        logits = distillation.teacher_logits(self.ctx)
        self.assertEqual(logits.shape, (4, 4))
        np.testing.assert_array_equal(logits.argmax(1), [0, 0, 2, 3])
        self.assertTrue(all(directory.endswith(os.path.join("onnx", "models", "fp32")) for directory, _ in self.scored))
        self.assertEqual([texts for _, texts in self.scored][0], ["text 4", "text 0", "text 2", "text 7"])

    def test_logits_computed_once_are_reused(self):
        distillation.stage_teacher(self.ctx)
        calls = len(self.scored)

        distillation.stage_teacher(self.ctx)

        self.assertEqual(len(self.scored), calls)


if __name__ == "__main__":
    unittest.main()
