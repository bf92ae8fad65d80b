import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import text_rule  # noqa: E402

CASES = os.path.join(os.path.dirname(__file__), "..", "..", "text-rule-cases.json")


class TextRuleTest(unittest.TestCase):
    def test_every_contract_case(self):
        with open(CASES, encoding="utf-8") as f:
            contract = json.load(f)
        self.assertEqual(contract["rule"], text_rule.RULE_ID)
        self.assertGreaterEqual(len(contract["cases"]), 12)
        for case in contract["cases"]:
            with self.subTest(title=case["title"]):
                self.assertEqual(text_rule.model_text(case["title"], case["description"]), case["text"])

    def test_single_pass_does_not_decode_twice(self):
        self.assertEqual(text_rule.model_text("", "&amp;lt; and &amp;quot;"), "&lt; and &quot;")

    def test_space_before_ag_news_entity_is_part_of_it(self):
        self.assertEqual(text_rule.model_text("It #39;s", "up  #36;5 #0; x"), "It's up $5 #0; x")

    def test_whole_text_equals_empty_title(self):
        self.assertEqual(text_rule.model_text("", "A\\b  #36;5 "), "A b $5")


if __name__ == "__main__":
    unittest.main()
