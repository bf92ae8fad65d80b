import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import packaging  # noqa: E402
from context import Context  # noqa: E402


def entry(rung, validation_accuracy):
    return {"rung": rung, "base": "minilm", "validation_accuracy": validation_accuracy}


class ShipTest(unittest.TestCase):
    """What ships from a ladder: the default and fp32 from the best 6-layer rung, the fast folder from the student."""

    def setUp(self):
        self.build = tempfile.mkdtemp()
        self.ctx = Context(build=self.build)
        self.shipped = []
        self.real_ship_model = packaging.ship_model
        packaging.ship_model = lambda ctx, chosen, target, name: self.shipped.append(
            (chosen["rung"], os.path.basename(target)))

    def tearDown(self):
        packaging.ship_model = self.real_ship_model

    def ladder(self, *entries):
        with open(os.path.join(self.build, "ladder.json"), "w") as f:
            json.dump({"rungs": list(entries), "validation_rows": 10}, f)

    def test_a_build_that_only_distilled_the_student_ships_the_fast_folder_alone(self):
        self.ladder(entry("c-l1-distill-minilm", 0.93), entry("d-static-l1-distill-minilm", 0.929))

        packaging.stage_ship(self.ctx)

        self.assertEqual(self.shipped, [("d-static-l1-distill-minilm", "fast")])

    def test_the_best_six_layer_rung_ships_as_default_in_static_int8_and_as_fp32(self):
        self.ladder(entry("c-finetune-minilm", 0.95), entry("d-static-finetune-minilm", 0.949),
                    entry("c-llrd-minilm", 0.94), entry("c-l1-distill-minilm", 0.93))

        packaging.stage_ship(self.ctx)

        self.assertEqual(self.shipped, [("d-static-finetune-minilm", "default"), ("c-finetune-minilm", "fp32"),
                                        ("c-l1-distill-minilm", "fast")])


if __name__ == "__main__":
    unittest.main()
