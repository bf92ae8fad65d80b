import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import calibrate  # noqa: E402
from bert import BertClassifier, BertEncoder  # noqa: E402


def tiny_classifier():
    torch.manual_seed(0)
    return BertClassifier(BertEncoder(50, hidden=8, layers=2, heads=2, intermediate=16, max_positions=16), 4).eval()


# Lengths differ, so batching them together pads every text but the longest.
TEXTS = [[1, 5, 7, 9, 11, 13, 2], [1, 9, 2], [1, 3, 4, 2], [1, 30, 31, 32, 2]]


class LinearInputRangesTest(unittest.TestCase):
    def test_padding_does_not_change_the_ranges(self):
        model = tiny_classifier()
        alone = calibrate.linear_input_ranges(model, TEXTS, batch_size=1)
        padded = calibrate.linear_input_ranges(model, TEXTS, batch_size=4)
        self.assertEqual(len(alone), 2 * 6 + 1, "six Linear layers per block and the head")
        for a, p in zip(alone, padded):
            np.testing.assert_array_equal(a.weight, p.weight)
            self.assertAlmostEqual(a.low, p.low, places=5)
            self.assertAlmostEqual(a.high, p.high, places=5)

    def test_ranges_hold_zero_and_what_the_layer_saw(self):
        model = tiny_classifier()
        seen = []
        hook = model.encoder.layers[0].intermediate.register_forward_hook(lambda m, i, o: seen.append(i[0]))
        ranges = calibrate.linear_input_ranges(model, TEXTS[:1], batch_size=1)
        hook.remove()
        weight = model.encoder.layers[0].intermediate.weight.detach().numpy().T
        low, high = calibrate.range_for_weight(ranges, weight)
        self.assertAlmostEqual(low, min(0.0, float(seen[0].min())), places=6)
        self.assertAlmostEqual(high, max(0.0, float(seen[0].max())), places=6)
        self.assertLessEqual(low, 0.0)
        self.assertGreaterEqual(high, 0.0)

    def test_nothing_is_beyond_the_ranges_of_the_texts_they_came_from(self):
        model = tiny_classifier()
        ranges = calibrate.linear_input_ranges(model, TEXTS, batch_size=4)
        self.assertEqual(calibrate.fraction_beyond(model, TEXTS, ranges, batch_size=4), 0.0)

    def test_values_of_other_texts_beyond_the_ranges_are_counted(self):
        model = tiny_classifier()
        ranges = calibrate.linear_input_ranges(model, TEXTS[1:2], batch_size=1)
        beyond = calibrate.fraction_beyond(model, TEXTS, ranges, batch_size=4)
        self.assertGreater(beyond, 0.0)
        self.assertLess(beyond, 1.0)

    def test_a_weight_no_layer_has_is_refused(self):
        ranges = calibrate.linear_input_ranges(tiny_classifier(), TEXTS, batch_size=2)
        with self.assertRaises(ValueError):
            calibrate.range_for_weight(ranges, np.zeros((8, 8), np.float32))


if __name__ == "__main__":
    unittest.main()
