import os
import random
import sys
import tempfile
import unittest
from unittest import mock

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import train  # noqa: E402
from bert import BertClassifier, BertEncoder  # noqa: E402

RNG = random.Random(3)
IDS = [[2] + [RNG.randrange(4, 50) for _ in range(RNG.randrange(2, 10))] + [3] for _ in range(40)]
LABELS = [i % 4 for i in range(40)]


def tiny_classifier():
    torch.manual_seed(5)
    return BertClassifier(BertEncoder(50, hidden=8, layers=1, heads=2, intermediate=16, max_positions=12), 4)


def fit(model, checkpoint=None):
    return train.fit(model, IDS, LABELS, epochs=2, lr=1e-2, batch_size=8, seed=11, checkpoint=checkpoint,
                     checkpoint_every=3, log=lambda *a, **k: None)


class Interrupted(Exception):
    pass


class ResumableFitTest(unittest.TestCase):
    def test_an_interrupted_run_resumes_to_the_same_weights_as_an_uninterrupted_one(self):
        whole = tiny_classifier()
        fit(whole)
        with tempfile.TemporaryDirectory() as directory:
            checkpoint = os.path.join(directory, "checkpoint.pt")
            steps = []
            real_step = train.take_step

            def step_then_stop(*args):
                if len(steps) == 7:
                    raise Interrupted()
                steps.append(1)
                real_step(*args)

            with mock.patch.object(train, "take_step", step_then_stop), self.assertRaises(Interrupted):
                fit(tiny_classifier(), checkpoint)
            self.assertEqual(torch.load(checkpoint)["step"], 6, "the last checkpoint before the stop")
            resumed = tiny_classifier()
            history = fit(resumed, checkpoint)
        self.assertEqual(history["steps"], 10)
        self.assertEqual([e["epoch"] for e in history["epochs"]], [1, 2])
        for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values()):
            self.assertTrue(torch.allclose(a, b, atol=1e-6), name)

    def test_a_finished_run_found_again_is_not_trained_twice(self):
        with tempfile.TemporaryDirectory() as directory:
            checkpoint = os.path.join(directory, "checkpoint.pt")
            first = tiny_classifier()
            fit(first, checkpoint)
            with mock.patch.object(train, "take_step", side_effect=AssertionError("trained again")):
                again = tiny_classifier()
                fit(again, checkpoint)
        for a, b in zip(first.state_dict().values(), again.state_dict().values()):
            self.assertTrue(torch.equal(a, b))


class AutocastTest(unittest.TestCase):
    def test_mixed_precision_only_where_the_hardware_has_bf16(self):
        with mock.patch.object(train, "cpu_has_bf16", return_value=False):
            self.assertIsNone(train.pick_autocast(torch.device("cpu")))
        with mock.patch.object(train, "cpu_has_bf16", return_value=True):
            self.assertEqual(train.pick_autocast(torch.device("cpu")), torch.bfloat16)
        self.assertEqual(train.pick_autocast(torch.device("cuda")), torch.bfloat16)

    def test_a_bf16_step_still_learns_and_keeps_fp32_weights(self):
        model = tiny_classifier()
        before = train.classification_metrics(train.predict(model, IDS), LABELS)["accuracy"]
        train.fit(model, IDS, LABELS, epochs=8, lr=1e-2, batch_size=8, autocast=torch.bfloat16,
                  log=lambda *a, **k: None)
        self.assertTrue(all(p.dtype == torch.float32 for p in model.parameters()))
        self.assertGreater(train.classification_metrics(train.predict(model, IDS), LABELS)["accuracy"], before)


if __name__ == "__main__":
    unittest.main()
