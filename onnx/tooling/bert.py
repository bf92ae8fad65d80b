"""A post-LayerNorm BERT encoder in PyTorch whose weights come from the base's ONNX file.

The ONNX export names biases, embeddings and LayerNorms, but every Linear weight is an anonymous
`onnx::MatMul_*` initializer stored [in, out]. Each MatMul's output feeds exactly one Add whose
other input is the named bias, so the bias name identifies the weight.
"""
import math

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

LAYER_NORM_EPS = 1e-12


def read_onnx_weights(onnx_path):
    """State dict in Hugging Face BERT naming (torch Linear layout [out, in]) from an ONNX BERT."""
    model = onnx.load(onnx_path)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    consumers = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    weights = {name: array for name, array in inits.items() if not name.startswith("onnx::")}
    for node in model.graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        (add,) = consumers[node.output[0]]
        bias_name = next(name for name in add.input if name != node.output[0])
        if add.op_type != "Add" or not bias_name.endswith(".bias"):
            raise ValueError(f"MatMul {node.name} is not followed by a bias Add")
        weights[bias_name[: -len(".bias")] + ".weight"] = inits[node.input[1]].T
    weights.pop("embeddings.position_ids", None)
    return {name: torch.from_numpy(np.array(array, dtype=np.float32)) for name, array in weights.items()}


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate, dropout):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, additive_mask):
        b, s, h = x.shape

        def split(t):
            return t.view(b, s, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + additive_mask
        context = self.dropout(scores.softmax(-1)) @ v
        context = context.transpose(1, 2).reshape(b, s, h)
        x = self.attention_norm(x + self.dropout(self.attention_output(context)))
        # Exact (erf) GELU, as in the ONNX graph.
        return self.output_norm(x + self.dropout(self.output(F.gelu(self.intermediate(x)))))


class BertEncoder(nn.Module):
    """Embeddings + post-LN transformer layers; token_type_ids are always 0 (single sentence)."""

    def __init__(self, vocab_size, hidden, layers, heads, intermediate, max_positions, dropout=0.1):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, hidden)
        self.position_embeddings = nn.Embedding(max_positions, hidden)
        self.token_type_embedding = nn.Parameter(torch.zeros(hidden))
        self.embedding_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(Layer(hidden, heads, intermediate, dropout) for _ in range(layers))
        self.hidden = hidden

    def forward(self, input_ids, attention_mask):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embedding
        x = self.dropout(self.embedding_norm(x))
        mask = attention_mask[:, None, None, :].to(x.dtype)
        additive_mask = (1.0 - mask) * torch.finfo(x.dtype).min
        for layer in self.layers:
            x = layer(x, additive_mask)
        return x

    @classmethod
    def from_onnx(cls, onnx_path, heads=12, dropout=0.1):
        """heads: every base here (MiniLM-L6, bge-small, e5-small-v2) uses 12 heads of 32 dims; the graph
        hides it in Reshape constants."""
        w = read_onnx_weights(onnx_path)
        layers = 1 + max(int(n.split(".")[2]) for n in w if n.startswith("encoder.layer."))
        vocab, hidden = w["embeddings.word_embeddings.weight"].shape
        intermediate = w["encoder.layer.0.intermediate.dense.weight"].shape[0]
        max_positions = w["embeddings.position_embeddings.weight"].shape[0]
        enc = cls(vocab, hidden, layers, heads, intermediate, max_positions, dropout)
        state = {
            "word_embeddings.weight": w["embeddings.word_embeddings.weight"],
            "position_embeddings.weight": w["embeddings.position_embeddings.weight"],
            "token_type_embedding": w["embeddings.token_type_embeddings.weight"][0],
            "embedding_norm.weight": w["embeddings.LayerNorm.weight"],
            "embedding_norm.bias": w["embeddings.LayerNorm.bias"],
        }
        names = {
            "query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
            "attention_output": "attention.output.dense", "attention_norm": "attention.output.LayerNorm",
            "intermediate": "intermediate.dense", "output": "output.dense", "output_norm": "output.LayerNorm",
        }
        for i in range(layers):
            for ours, theirs in names.items():
                for p in ("weight", "bias"):
                    state[f"layers.{i}.{ours}.{p}"] = w[f"encoder.layer.{i}.{theirs}.{p}"]
        enc.load_state_dict(state)
        return enc

    def keep_bottom_layers(self, count):
        """Drops every layer above the first count: a shallower, faster encoder that keeps the
        pretrained embeddings and lower layers (dropping the top layers of a pretrained BERT costs
        the least accuracy of the layer-dropping choices)."""
        if not 1 <= count <= len(self.layers):
            raise ValueError(f"can keep 1 to {len(self.layers)} layers, not {count}")
        self.layers = self.layers[:count]
        return self


class BertClassifier(nn.Module):
    """Encoder, mean pooling over real tokens, dropout, head -> logits.

    The head is one Linear layer, or with dense_units a small MLP (Linear, ReLU, dropout, Linear)
    as in the from-scratch rung of the ladder.
    """

    def __init__(self, encoder, num_labels, dropout=0.1, dense_units=None):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        if dense_units is None:
            self.head = nn.Linear(encoder.hidden, num_labels)
        else:
            self.head = nn.Sequential(nn.Linear(encoder.hidden, dense_units), nn.ReLU(), nn.Dropout(dropout),
                                      nn.Linear(dense_units, num_labels))

    def forward(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids, attention_mask)
        return self.head(self.dropout(mean_pool(hidden, attention_mask)))


def mean_pool(hidden, attention_mask):
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class MaskedLanguageModel(nn.Module):
    """An encoder with BERT's masked-language-model head (dense, GELU, LayerNorm, then a decoder tied to
    the word embeddings), for task-adaptive pretraining. The sentence-transformer bases ship without
    an MLM head, so its transform starts fresh; tying the decoder adds no vocabulary-sized matrix, and
    the head is thrown away afterwards: only the encoder goes on to fine-tuning."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.transform = nn.Linear(encoder.hidden, encoder.hidden)
        self.transform_norm = nn.LayerNorm(encoder.hidden, eps=LAYER_NORM_EPS)
        self.decoder_bias = nn.Parameter(torch.zeros(encoder.word_embeddings.num_embeddings))

    def forward(self, input_ids, attention_mask, predicted):
        """Vocabulary logits [n, vocab] for the n positions where `predicted` (bool, like input_ids) is
        set, in row-major order; the others cost no decoder work."""
        hidden = self.encoder(input_ids, attention_mask)[predicted]
        x = self.transform_norm(F.gelu(self.transform(hidden)))
        return x @ self.encoder.word_embeddings.weight.T + self.decoder_bias
