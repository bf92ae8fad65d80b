import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bert import BertEncoder  # noqa: E402


def tiny_encoder(layers=3):
    torch.manual_seed(0)
    return BertEncoder(50, hidden=8, layers=layers, heads=2, intermediate=16, max_positions=16).eval()


class ShallowStudentTest(unittest.TestCase):
    def test_a_cut_encoder_computes_what_a_one_layer_encoder_with_its_bottom_weights_computes(self):
        full = tiny_encoder(layers=3)
        one_layer = BertEncoder(50, hidden=8, layers=1, heads=2, intermediate=16, max_positions=16).eval()
        one_layer.load_state_dict({name: tensor for name, tensor in full.state_dict().items()
                                   if not name.startswith(("layers.1.", "layers.2."))})
        ids = torch.tensor([[1, 5, 7, 2, 0], [1, 9, 2, 0, 0]])
        mask = (ids != 0).long()

        cut = full.keep_bottom_layers(1)

        self.assertEqual(len(cut.layers), 1)
        with torch.no_grad():
            torch.testing.assert_close(cut(ids, mask), one_layer(ids, mask))
            self.assertFalse(torch.allclose(cut(ids, mask), tiny_encoder(layers=3)(ids, mask)))

    def test_a_cut_encoder_keeps_the_pretrained_weights_of_the_layers_it_keeps(self):
        full = tiny_encoder(layers=3)
        before = {name: tensor.clone() for name, tensor in full.state_dict().items()}

        cut = full.keep_bottom_layers(2)

        kept = cut.state_dict()
        self.assertFalse(any(name.startswith("layers.2.") for name in kept))
        for name, tensor in kept.items():
            torch.testing.assert_close(tensor, before[name], msg=name)

    def test_refuses_to_keep_no_layer_or_more_than_there_are(self):
        for count in (0, 4):
            with self.assertRaises(ValueError):
                tiny_encoder(layers=3).keep_bottom_layers(count)


if __name__ == "__main__":
    unittest.main()
