import gzip
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import data  # noqa: E402

# Hand-written rows in the two formats (not AG News rows).
AG_NEWS_CSV = (
    '"3","Oil up","Prices rose to  #36;46.5 a barrel"\n'
    '"2","Team wins ""big""","second\\half comeback"\n'
    '"1","Talks &lt;b&gt;end&lt;/b&gt;","Leaders\nmet #39;again#39;"\n'
    '"4","Chip maker","New chip unveiled"\n'
)
HF_CSV = (
    '"Chip maker New chip unveiled",3\n'
    '"It #39;s a deal, says CEO",2\n'
    '"Quote ""inside"" text\\more",0\n'
)


class DataReaderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        for name, content in ((data.TEST_PART, AG_NEWS_CSV), (data.TRAIN_SAMPLE, HF_CSV)):
            with gzip.open(os.path.join(self.dir, name), "wt", encoding="utf-8", newline="") as f:
                f.write(content)

    def test_reads_ag_news_format_with_quotes_backslashes_entities(self):
        rows = data.read_ag_news_csv(os.path.join(self.dir, data.TEST_PART))
        self.assertEqual(rows, [
            ("Oil up Prices rose to $46.5 a barrel", 2),
            ('Team wins "big" second half comeback', 1),
            ("Talks <b>end</b> Leaders met'again'", 0),
            ("Chip maker New chip unveiled", 3),
        ])

    def test_reads_hf_format_as_whole_text(self):
        rows = data.read_hf_csv(os.path.join(self.dir, data.TRAIN_SAMPLE))
        self.assertEqual(rows, [
            ("Chip maker New chip unveiled", 3),
            ("It's a deal, says CEO", 2),
            ('Quote "inside" text more', 0),
        ])

    def test_load_examples_removes_exact_duplicates_keeping_first(self):
        examples, stats = data.load_examples(self.dir)
        self.assertEqual(len(examples), 6)
        self.assertEqual(stats, {"rows_read": 7, "rows_after_dedup": 6, "duplicates_removed": 1})
        self.assertEqual([t for t, _ in examples].count("Chip maker New chip unveiled"), 1)


class StratifiedSplitTest(unittest.TestCase):
    LABELS = [i % 4 for i in range(400)] + [0] * 40

    def test_same_seed_same_split(self):
        self.assertEqual(data.stratified_split(self.LABELS, 0.1, 42), data.stratified_split(self.LABELS, 0.1, 42))

    def test_other_seed_other_split(self):
        self.assertNotEqual(data.stratified_split(self.LABELS, 0.1, 42)[1], data.stratified_split(self.LABELS, 0.1, 7)[1])

    def test_ten_percent_of_each_class_and_disjoint(self):
        train, val = data.stratified_split(self.LABELS, 0.1, 42)
        self.assertEqual(sorted(train + val), list(range(len(self.LABELS))))
        counts = [sum(1 for i in val if self.LABELS[i] == c) for c in range(4)]
        self.assertEqual(counts, [14, 10, 10, 10])


if __name__ == "__main__":
    unittest.main()
