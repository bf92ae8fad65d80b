import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import data  # noqa: E402
import learning_curve  # noqa: E402
import card  # noqa: E402


class NestedStratifiedSubsetTest(unittest.TestCase):
    LABELS = [0] * 40 + [1] * 20 + [2] * 12 + [3] * 8

    def test_keeps_each_class_share(self):
        subset = data.nested_stratified_subset(self.LABELS, 0.25, seed=7)
        counts = [sum(1 for i in subset if self.LABELS[i] == c) for c in range(4)]
        self.assertEqual(counts, [10, 5, 3, 2])

    def test_smaller_fractions_are_inside_larger_ones(self):
        quarter = set(data.nested_stratified_subset(self.LABELS, 0.25, seed=7))
        half = set(data.nested_stratified_subset(self.LABELS, 0.5, seed=7))
        whole = data.nested_stratified_subset(self.LABELS, 1.0, seed=7)
        self.assertTrue(quarter < half)
        self.assertEqual(whole, list(range(len(self.LABELS))))

    def test_same_seed_same_rows_and_another_seed_other_rows(self):
        self.assertEqual(data.nested_stratified_subset(self.LABELS, 0.5, seed=7),
                         data.nested_stratified_subset(self.LABELS, 0.5, seed=7))
        self.assertNotEqual(data.nested_stratified_subset(self.LABELS, 0.5, seed=7),
                            data.nested_stratified_subset(self.LABELS, 0.5, seed=8))


class PowerLawFitTest(unittest.TestCase):
    def test_recovers_an_exact_power_law_and_inverts_it(self):
        rows = [1000, 2000, 4000, 8000]
        accuracies = [1 - 0.5 * n ** -0.25 for n in rows]
        fit = learning_curve.power_law_fit(rows, accuracies)
        self.assertAlmostEqual(fit["exponent"], 0.25, places=9)
        self.assertAlmostEqual(fit["scale"], 0.5, places=9)
        self.assertAlmostEqual(fit["error_per_doubling"], 2 ** -0.25, places=9)
        self.assertAlmostEqual(learning_curve.predicted_accuracy(fit, 16000), 1 - 0.5 * 16000 ** -0.25, places=9)
        target = 1 - 0.5 * 64000 ** -0.25
        self.assertAlmostEqual(learning_curve.rows_for_accuracy(fit, target), 64000, delta=1e-3)

    def test_a_curve_that_does_not_improve_reaches_no_target(self):
        fit = learning_curve.power_law_fit([1000, 2000, 4000], [0.90, 0.89, 0.88])
        self.assertLess(fit["exponent"], 0)
        self.assertIsNone(learning_curve.rows_for_accuracy(fit, 0.92))

    def test_refuses_a_single_row_count_and_perfect_points(self):
        with self.assertRaises(ValueError):
            learning_curve.power_law_fit([1000, 1000], [0.9, 0.91])
        with self.assertRaises(ValueError):
            learning_curve.power_law_fit([1000, 2000], [0.9, 1.0])


class CardDirectory:
    """The one thing curve_note asks of the tooling's Context: where a result file lives."""

    def __init__(self, directory):
        self.directory = directory

    def path(self, *parts):
        return os.path.join(self.directory, *parts)


class CurveNoteTest(unittest.TestCase):
    def test_card_gives_each_point_and_the_rows_the_fit_predicts_for_the_target(self):
        rows = [21_921, 43_843, 87_687]
        accuracies = [1 - 0.6 * n ** -0.2 for n in rows]
        fit = learning_curve.power_law_fit(rows, accuracies)
        curve = {"recipe": {"epochs": 2, "lr": 1e-4}, "test_rows": 5700, "fit": fit, "target_accuracy": 0.94,
                 "rows_for_target": round(learning_curve.rows_for_accuracy(fit, 0.94)),
                 "points": [{"train_rows": n, "test_accuracy": a, "train_seconds": 60.0 * n / 1000}
                            for n, a in zip(rows, accuracies)]}
        with tempfile.TemporaryDirectory() as directory:
            with open(os.path.join(directory, "curve.json"), "w") as f:
                json.dump(curve, f)
            note = card.curve_note(CardDirectory(directory))
        self.assertIn("21,921 rows 91.87% (22 min); 43,843 rows 92.92% (44 min); 87,687 rows 93.84% (88 min)", note)
        self.assertIn("each reported on the 5,700 test rows", note)
        self.assertIn(f"reaches 94.00% at about {curve['rows_for_target']:,} training rows", note)
        self.assertIn(f"120,000 rows it predicts {100 * learning_curve.predicted_accuracy(fit, 120000):.2f}%", note)

    def test_card_says_when_the_curve_did_not_run(self):
        with tempfile.TemporaryDirectory() as directory:
            self.assertIn("Not run for this card", card.curve_note(CardDirectory(directory)))


if __name__ == "__main__":
    unittest.main()
