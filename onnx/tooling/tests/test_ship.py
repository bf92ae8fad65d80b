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
    """What ships from a ladder: the default and fp32 from the best 6-layer rung (unless the one shipped before is
    better on validation), the fast folder from the shallowest student within 1.5 validation points of it."""

    def setUp(self):
        self.build = tempfile.mkdtemp()
        self.ctx = Context(build=self.build)
        self.shipped = []
        self.already_shipped = None
        self.real = packaging.ship_model, packaging.shipped_validation_accuracy
        packaging.ship_model = lambda ctx, chosen, target, name: self.shipped.append(
            (chosen["rung"], os.path.basename(target), name))
        packaging.shipped_validation_accuracy = lambda ctx, folder: self.already_shipped

    def tearDown(self):
        packaging.ship_model, packaging.shipped_validation_accuracy = self.real

    def ladder(self, *entries):
        with open(os.path.join(self.build, "ladder.json"), "w") as f:
            json.dump({"rungs": list(entries), "validation_rows": 10}, f)

    def test_a_build_of_students_alone_ships_the_shallowest_close_to_the_shipped_default_as_fast(self):
        self.already_shipped = {"rung": "c-finetune-minilm", "accuracy": 0.95}
        self.ladder(entry("c-l1-distill-minilm", 0.93), entry("d-static-l1-distill-minilm", 0.929),
                    entry("c-l3-distill-minilm", 0.94), entry("d-static-l3-distill-minilm", 0.939))

        packaging.stage_ship(self.ctx)

        self.assertEqual(self.shipped, [("d-static-l3-distill-minilm", "fast", "news-classifier-minilm-l3-agnews")])

    def test_the_best_six_layer_rung_ships_as_default_in_static_int8_and_as_fp32(self):
        self.already_shipped = {"rung": "c-finetune-minilm", "accuracy": 0.97}
        self.ladder(entry("c-finetune-minilm", 0.95), entry("d-static-finetune-minilm", 0.949),
                    entry("c-llrd-minilm", 0.94), entry("c-l1-distill-minilm", 0.94),
                    entry("c-l3-distill-minilm", 0.945))

        packaging.stage_ship(self.ctx)

        self.assertEqual(self.shipped, [
            ("d-static-finetune-minilm", "default", "news-classifier-minilm-l6-agnews"),
            ("c-finetune-minilm", "fp32", "news-classifier-minilm-l6-agnews"),
            ("c-l1-distill-minilm", "fast", "news-classifier-minilm-l1-agnews")])

    def test_a_rung_no_better_than_the_shipped_default_leaves_it_as_it_is(self):
        self.already_shipped = {"rung": "c-finetune-minilm", "accuracy": 0.952}
        self.ladder(entry("c-distill-minilm", 0.951), entry("d-static-distill-minilm", 0.951),
                    entry("c-l3-distill-minilm", 0.94))

        packaging.stage_ship(self.ctx)

        self.assertEqual(self.shipped, [("c-l3-distill-minilm", "fast", "news-classifier-minilm-l3-agnews")])

    def test_the_deepest_student_ships_when_none_is_close_enough(self):
        self.already_shipped = {"rung": "c-finetune-minilm", "accuracy": 0.96}
        self.ladder(entry("c-l1-distill-minilm", 0.92), entry("c-l3-distill-minilm", 0.94))

        packaging.stage_ship(self.ctx)

        self.assertEqual(self.shipped, [("c-l3-distill-minilm", "fast", "news-classifier-minilm-l3-agnews")])


if __name__ == "__main__":
    unittest.main()
