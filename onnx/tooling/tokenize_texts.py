"""Token ids from the tooling's Python WordPiece tokenizer, for the Java TokenizerEqualityTest,
which compares them with DJL's HuggingFaceTokenizer.

    /usr/bin/python3 onnx/tooling/tokenize_texts.py --tokenizer tokenizer.json --output out.json
        [--input texts.json] [--data-dir DIR --limit N]

--input: {"texts": [...]}; --data-dir: the first N texts of the AG News files after the text rule.
Writes {"texts": [...], "token_ids": [[...], ...]} (max length 128).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--input")
    parser.add_argument("--data-dir")
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--max-length", type=int, default=128)
    args = parser.parse_args()
    texts = []
    if args.input:
        with open(args.input, encoding="utf-8") as f:
            texts += json.load(f)["texts"]
    if args.data_dir:
        # Half from each file, so both formats are covered.
        half = args.limit // 2
        texts += [t for t, _ in data.read_ag_news_csv(os.path.join(args.data_dir, data.TEST_PART))[:half]]
        texts += [t for t, _ in data.read_hf_csv(os.path.join(args.data_dir, data.TRAIN_SAMPLE))[: args.limit - half]]
    tok = WordPieceTokenizer(args.tokenizer)
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump({"texts": texts, "token_ids": [tok.encode(t, args.max_length) for t in texts]}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
