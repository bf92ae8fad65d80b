import os
import sys
import unittest

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import train  # noqa: E402


class RDropLossTest(unittest.TestCase):
    labels = torch.tensor([0, 2, 1])

    def test_two_equal_passes_cost_exactly_the_cross_entropy(self):
        logits = torch.tensor([[2.0, 0.1, -1.0], [0.3, 0.2, 1.5], [-0.5, 1.0, 0.0]])
        self.assertAlmostEqual(train.rdrop_loss(logits, logits.clone(), self.labels, 1.0).item(),
                               F.cross_entropy(logits, self.labels).item(), places=6)

    def test_disagreement_adds_alpha_times_the_symmetric_kl(self):
        a = torch.tensor([[2.0, 0.1, -1.0], [0.3, 0.2, 1.5], [-0.5, 1.0, 0.0]])
        b = torch.tensor([[0.5, 1.0, -1.0], [1.3, 0.2, 0.5], [-0.5, 0.0, 1.0]])
        pa, pb = a.softmax(-1), b.softmax(-1)
        kl_ab = (pa * (pa.log() - pb.log())).sum(-1).mean()
        kl_ba = (pb * (pb.log() - pa.log())).sum(-1).mean()
        ce = 0.5 * (F.cross_entropy(a, self.labels) + F.cross_entropy(b, self.labels))
        for alpha in (0.5, 1.0, 4.0):
            expected = ce + alpha * 0.5 * (kl_ab + kl_ba)
            self.assertAlmostEqual(train.rdrop_loss(a, b, self.labels, alpha).item(), expected.item(), places=5)

    def test_the_loss_is_symmetric_in_the_two_passes(self):
        a, b = torch.randn(4, 3, generator=torch.Generator().manual_seed(1)), torch.randn(
            4, 3, generator=torch.Generator().manual_seed(2))
        labels = torch.tensor([0, 1, 2, 1])
        self.assertAlmostEqual(train.rdrop_loss(a, b, labels, 1.0).item(), train.rdrop_loss(b, a, labels, 1.0).item(),
                               places=6)


if __name__ == "__main__":
    unittest.main()
