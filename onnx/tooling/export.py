"""Export a classifier to ONNX with the service's contract: inputs input_ids and attention_mask
(int64 [batch, sequence]), output logits (float32 [batch, num_labels]), both axes dynamic."""
import torch

OPSET = 14
INPUTS = ["input_ids", "attention_mask"]
OUTPUT = "logits"


def export_onnx(model, path, opset=OPSET):
    model = model.cpu().eval()
    # Two rows of different lengths, so padding is part of the traced example.
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    with torch.no_grad():
        torch.onnx.export(
            model, (ids, mask), path, input_names=INPUTS, output_names=[OUTPUT], opset_version=opset,
            do_constant_folding=True,
            dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                          OUTPUT: {0: "batch"}})
