import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import train  # noqa: E402
from bert import BertClassifier, BertEncoder  # noqa: E402


def tiny_classifier(seed):
    torch.manual_seed(seed)
    return BertClassifier(BertEncoder(50, hidden=8, layers=1, heads=2, intermediate=16, max_positions=12), 4)


class AverageStateDictsTest(unittest.TestCase):
    def test_every_weight_is_the_mean_of_the_members(self):
        members = [tiny_classifier(seed).state_dict() for seed in (1, 2, 3)]
        soup = train.average_state_dicts(members)
        for key, value in soup.items():
            expected = (members[0][key] + members[1][key] + members[2][key]) / 3
            self.assertTrue(torch.allclose(value, expected, atol=1e-6), key)
            self.assertEqual(value.dtype, members[0][key].dtype)

    def test_soup_loads_into_the_model_and_a_soup_of_one_is_the_model(self):
        member = tiny_classifier(7)
        model = tiny_classifier(8)
        model.load_state_dict(train.average_state_dicts([member.state_dict()]))
        model.eval()
        member.eval()
        ids = torch.tensor([[2, 5, 9, 3, 0], [2, 7, 3, 0, 0]])
        mask = (ids != 0).long()
        self.assertTrue(torch.equal(model(ids, mask), member(ids, mask)))

    def test_refuses_state_dicts_of_different_models(self):
        small = tiny_classifier(1).state_dict()
        other = BertClassifier(BertEncoder(50, hidden=8, layers=2, heads=2, intermediate=16, max_positions=12),
                               4).state_dict()
        with self.assertRaises(ValueError):
            train.average_state_dicts([small, other])

    def test_refuses_integer_buffers_that_differ(self):
        with self.assertRaises(ValueError):
            train.average_state_dicts([{"steps": torch.tensor([1])}, {"steps": torch.tensor([2])}])


if __name__ == "__main__":
    unittest.main()
