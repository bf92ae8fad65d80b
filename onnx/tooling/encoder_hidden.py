"""Last hidden state of the torch rebuild of a base encoder for given token ids (used by the Java
parity test BaseEncoderParityTest, which compares it with ONNX Runtime on the original ONNX).

    /usr/bin/python3 onnx/tooling/encoder_hidden.py --onnx model.onnx --input ids.json --output hidden.json

ids.json: {"input_ids": [[...]], "attention_mask": [[...]]}; hidden.json: {"last_hidden_state": [[[...]]]}.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert import BertEncoder  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--onnx", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    torch.set_num_threads(2)
    with open(args.input) as f:
        batch = json.load(f)
    encoder = BertEncoder.from_onnx(args.onnx).eval()
    with torch.no_grad():
        hidden = encoder(torch.tensor(batch["input_ids"]), torch.tensor(batch["attention_mask"]))
    with open(args.output, "w") as f:
        json.dump({"last_hidden_state": hidden.tolist()}, f)


if __name__ == "__main__":
    main()
