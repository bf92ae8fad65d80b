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

    def test_load_protocol_trains_on_train_split_rows_and_tests_on_test_part(self):
        with gzip.open(os.path.join(self.dir, data.TRAIN_EXTRA), "wt", encoding="utf-8", newline="") as f:
            f.write(TRAIN_EXTRA_CSV)
        train, test, stats = data.load_protocol(self.dir, TINY_TIERS)
        self.assertEqual(len(test), 4)
        texts = [t for t, _, _, _ in train]
        # train_sample's "Chip maker New chip unveiled" is also a test text, and tier D repeats a tier A row.
        self.assertNotIn("Chip maker New chip unveiled", texts)
        self.assertEqual(texts.count("Stocks fall Markets slid on Friday"), 1)
        self.assertEqual(stats["dropped"], {"empty": 0, "duplicate": 1, "equal_to_test_row": 1})
        self.assertEqual(stats["rows_per_tier"], {"sample": 2, "A": 1, "B-split": 1, "B-unsplit": 2, "C": 1, "D": 1})
        self.assertEqual(stats["train_rows_kept"], len(train))
        # Only tiers that keep the original title lend a headline; the test rows keep theirs too.
        headlines = {tier: headline for _, _, tier, headline in train}
        self.assertEqual(headlines, {"sample": "", "A": "Stocks fall", "B-split": "Late goal", "B-unsplit": "",
                                     "C": "", "D": ""})
        self.assertEqual([h for _, _, h in test], ["Oil up", 'Team wins "big"', "Talks <b>end</b>", "Chip maker"])

    def test_title_only_copies_take_a_stratified_share_of_titled_training_rows_and_skip_test_headlines(self):
        train = [(f"Head {i} body {i}", i % 2, "A", f"Head {i}") for i in range(8)]
        train += [("Oil up more text", 0, "B-split", "Oil up"), ("No title here", 1, "C", "")]
        test = [("Oil up Prices rose", 2, "Oil up")]
        positions = [0, 1, 2, 3, 4, 5, 8, 9]  # 6 and 7 are validation rows: never copied
        copies = data.title_only_copies(train, positions, test, 1.0)
        self.assertEqual(sorted(copies), sorted((f"Head {i}", i % 2, "A+title-only") for i in range(6)))
        half = data.title_only_copies(train, positions, test, 0.5)
        # Half of each class (4 of label 0 with "Oil up", 3 of label 1), less "Oil up" if it was drawn.
        self.assertIn(len(half), (3, 4))
        self.assertEqual({label for _, label, _ in half}, {0, 1})
        self.assertTrue(set(half) <= set(copies))
        self.assertEqual(data.source_tier("B-split+title-only"), "B-split")
        self.assertEqual(data.source_tier("A"), "A")


# Hand-written rows in train_extra's layout, one tier after another as TINY_TIERS counts them.
TRAIN_EXTRA_CSV = (
    '"3","Stocks fall","Markets slid on Friday"\n'
    '"2","Late goal","A late goal won the cup"\n'
    '"4","","Probe lands on comet Scientists cheered the landing"\n'
    '"1","","Ceasefire holds in capitalTalks resume on Monday"\n'
    '"3","","Profits at the bank rose #36;2 billion"\n'
    '"3","stocks fall","markets slid on friday"\n'
    '"3","Stocks fall","Markets slid on Friday"\n'
)
TINY_TIERS = (("A", 1), ("B-split", 1), ("B-unsplit", 2), ("C", 1), ("D", 2))


class TrainExtraTest(unittest.TestCase):
    def setUp(self):
        self.path = os.path.join(tempfile.mkdtemp(), data.TRAIN_EXTRA)
        with gzip.open(self.path, "wt", encoding="utf-8", newline="") as f:
            f.write(TRAIN_EXTRA_CSV)

    def test_reads_every_tier_with_its_text_rule_and_tier(self):
        rows = data.read_train_extra(self.path, TINY_TIERS)
        self.assertEqual(rows, [
            ("Stocks fall Markets slid on Friday", 2, "A"),
            ("Late goal A late goal won the cup", 1, "B-split"),
            ("Probe lands on comet Scientists cheered the landing", 3, "B-unsplit"),
            ("Ceasefire holds in capitalTalks resume on Monday", 0, "B-unsplit"),
            ("Profits at the bank rose$2 billion", 2, "C"),
            ("stocks fall markets slid on friday", 2, "D"),
            ("Stocks fall Markets slid on Friday", 2, "D"),
        ])

    def test_refuses_a_file_whose_rows_do_not_match_its_tiers(self):
        with self.assertRaisesRegex(ValueError, "7 rows, but its tiers add up to 6"):
            data.read_train_extra(self.path, TINY_TIERS[:-1] + (("D", 1),))

    def test_the_real_files_tiers_add_up_to_its_documented_rows(self):
        self.assertEqual(sum(count for _, count in data.TRAIN_EXTRA_TIERS), 85_712)
        self.assertEqual([name for name, _ in data.TRAIN_EXTRA_TIERS], ["A", "B-split", "B-unsplit", "C", "D"])


class ProtocolSplitTest(unittest.TestCase):
    TIERS = ["sample"] * 100 + ["A"] * 100 + ["C"] * 100 + ["D"] * 100
    LABELS = [i % 4 for i in range(400)]

    def test_validation_comes_from_original_text_rows_only(self):
        train, validation = data.protocol_split(self.TIERS, self.LABELS, 0.1, 42)
        self.assertEqual(len(validation), 20)
        self.assertTrue(all(self.TIERS[i] in data.FAITHFUL_TIERS for i in validation))
        self.assertEqual(sorted(train + validation), list(range(400)))

    def test_is_stratified_and_the_same_on_every_run(self):
        train, validation = data.protocol_split(self.TIERS, self.LABELS, 0.1, 42)
        self.assertEqual([sum(1 for i in validation if self.LABELS[i] == c) for c in range(4)], [5, 5, 5, 5])
        self.assertEqual((train, validation), data.protocol_split(self.TIERS, self.LABELS, 0.1, 42))


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
