import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import train  # noqa: E402
from bert import BertClassifier, BertEncoder  # noqa: E402


def tiny_model(layers=3):
    torch.manual_seed(0)
    encoder = BertEncoder(50, hidden=8, layers=layers, heads=2, intermediate=16, max_positions=16)
    return BertClassifier(encoder, 4)


class LayerwiseLearningRateTest(unittest.TestCase):
    def test_each_level_gets_decay_times_the_rate_of_the_level_above(self):
        scales = train.layer_lr_scales(tiny_model(layers=3), 0.5)
        self.assertEqual(scales["head.weight"], 1.0)
        self.assertEqual(scales["encoder.layers.2.query.weight"], 0.5)
        self.assertEqual(scales["encoder.layers.1.output_norm.bias"], 0.25)
        self.assertEqual(scales["encoder.layers.0.value.bias"], 0.125)
        self.assertEqual(scales["encoder.word_embeddings.weight"], 0.0625)
        self.assertEqual(scales["encoder.embedding_norm.weight"], 0.0625)

    def test_every_trainable_parameter_lands_in_exactly_one_group(self):
        model = tiny_model()
        groups = train.parameter_groups(model, 1e-3, 0.01, layer_lr_decay=0.8)
        grouped = [id(p) for g in groups for p in g["params"]]
        self.assertEqual(sorted(grouped), sorted(id(p) for p in model.parameters()))

    def test_biases_and_norms_are_never_weight_decayed(self):
        model = tiny_model()
        names = {id(p): n for n, p in model.named_parameters()}
        for g in train.parameter_groups(model, 1e-3, 0.01, layer_lr_decay=0.8):
            for p in g["params"]:
                exempt = p.ndim < 2 or "norm" in names[id(p)]
                self.assertEqual(g["weight_decay"], 0.0 if exempt else 0.01, names[id(p)])

    def test_without_decay_all_parameters_share_the_base_rate(self):
        groups = train.parameter_groups(tiny_model(), 3e-5, 0.01)
        self.assertEqual({g["lr"] for g in groups}, {3e-5})
        self.assertEqual(len(groups), 2)

    def test_fit_applies_the_decayed_rates_through_warmup_and_decay(self):
        model = tiny_model(layers=2)
        ids = [[2, 5, 7, 3], [2, 9, 3], [2, 4, 4, 8, 3], [2, 6, 3]] * 4
        labels = [0, 1, 2, 3] * 4
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        train.fit(model, ids, labels, epochs=1, lr=1e-2, batch_size=4, layer_lr_decay=0.0, log=lambda *a, **k: None)
        after = dict(model.named_parameters())
        # decay 0 freezes every level below the head: the head alone learns.
        self.assertFalse(torch.equal(before["head.weight"], after["head.weight"]))
        for name in ("encoder.layers.1.query.weight", "encoder.word_embeddings.weight"):
            self.assertTrue(torch.equal(before[name], after[name]), name)


if __name__ == "__main__":
    unittest.main()
