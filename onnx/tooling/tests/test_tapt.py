import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import train  # noqa: E402
from bert import BertEncoder, MaskedLanguageModel  # noqa: E402

PAD, CLS, SEP, MASK = 0, 1, 2, 3
VOCAB = 40


def batch_of(rows, width):
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for r, row in enumerate(rows):
        ids[r, : len(row)] = torch.tensor(row)
        mask[r, : len(row)] = 1
    return ids, mask


def masked(ids, mask, seed=0, probability=0.15):
    return train.mask_tokens(ids, mask, special_ids=[PAD, CLS, SEP], mask_id=MASK, vocab_size=VOCAB,
                             generator=torch.Generator().manual_seed(seed), probability=probability)


class MaskTokensTest(unittest.TestCase):
    def test_only_real_tokens_that_are_not_special_are_ever_chosen(self):
        ids, mask = batch_of([[CLS, 5, 6, 7, SEP], [CLS, 8, SEP]], 6)
        for seed in range(20):
            _, chosen = masked(ids, mask, seed=seed, probability=0.9)
            self.assertFalse(chosen[ids == PAD].any())
            self.assertFalse(chosen[ids == CLS].any())
            self.assertFalse(chosen[ids == SEP].any())

    def test_about_the_given_share_is_chosen_and_split_80_10_10(self):
        ids, mask = batch_of([[CLS] + [4 + (i % 30) for i in range(200)] + [SEP]] * 100, 202)
        corrupted, chosen = masked(ids, mask)
        eligible = 200 * 100
        self.assertAlmostEqual(chosen.sum().item() / eligible, 0.15, delta=0.01)
        as_mask = (corrupted[chosen] == MASK).float().mean().item()
        unchanged = (corrupted[chosen] == ids[chosen]).float().mean().item()
        self.assertAlmostEqual(as_mask, 0.8, delta=0.02)
        # A random replacement can draw the original token (1 in 40) or [MASK] itself.
        self.assertAlmostEqual(unchanged, 0.1 + 0.1 / VOCAB, delta=0.02)
        self.assertTrue(torch.equal(corrupted[~chosen], ids[~chosen]))

    def test_a_batch_of_short_texts_still_predicts_one_token(self):
        ids, mask = batch_of([[CLS, 9, SEP]], 3)
        corrupted, chosen = masked(ids, mask, probability=0.0)
        self.assertEqual(chosen.sum().item(), 1)
        self.assertTrue(chosen[0, 1])

    def test_the_same_generator_seed_masks_the_same_way(self):
        ids, mask = batch_of([[CLS] + list(range(4, 30)) + [SEP]] * 4, 28)
        first, second = masked(ids, mask, seed=7), masked(ids, mask, seed=7)
        self.assertTrue(torch.equal(first[0], second[0]))
        self.assertTrue(torch.equal(first[1], second[1]))


class MaskedLanguageModelTest(unittest.TestCase):
    def tiny(self):
        torch.manual_seed(0)
        return MaskedLanguageModel(BertEncoder(VOCAB, hidden=16, layers=1, heads=2, intermediate=32, max_positions=16))

    def test_logits_cover_the_vocabulary_for_the_predicted_positions_only(self):
        model = self.tiny().eval()
        ids, mask = batch_of([[CLS, 5, 6, SEP], [CLS, 7, SEP]], 4)
        predicted = torch.zeros_like(ids, dtype=torch.bool)
        predicted[0, 1] = predicted[0, 2] = predicted[1, 1] = True
        self.assertEqual(tuple(model(ids, mask, predicted).shape), (3, VOCAB))

    def test_the_decoder_is_the_word_embedding_matrix(self):
        model = self.tiny()
        ids, mask = batch_of([[CLS, 5, 6, SEP]], 4)
        predicted = torch.zeros_like(ids, dtype=torch.bool)
        predicted[0, 1] = True
        absent = 30
        torch.nn.functional.cross_entropy(model(ids, mask, predicted), torch.tensor([absent])).backward()
        # Token 30 is not in the input: only a tied decoder can send it a gradient.
        self.assertGreater(model.encoder.word_embeddings.weight.grad[absent].abs().sum().item(), 0)
        head = sum(p.numel() for n, p in model.named_parameters() if not n.startswith("encoder."))
        self.assertEqual(head, 16 * 16 + 16 + 2 * 16 + VOCAB)

    def test_fitting_a_tiny_corpus_lowers_the_masked_token_loss(self):
        model = self.tiny()
        corpus = [[CLS, 4, 5, 6, 7, 8, 9, SEP], [CLS, 10, 11, 12, 13, SEP], [CLS, 14, 15, 16, 17, 18, SEP]] * 8
        history = train.fit_mlm(model, corpus, epochs=30, lr=1e-2, special_ids=[PAD, CLS, SEP], mask_id=MASK,
                                probability=0.3, batch_size=8, seed=1, log=lambda *a, **k: None)
        losses = [e["mean_loss"] for e in history["epochs"]]
        self.assertLess(sum(losses[-5:]) / 5, 0.5 * sum(losses[:5]) / 5)
        self.assertEqual(history["steps"], 30 * 3)


if __name__ == "__main__":
    unittest.main()
