"""Training loops shared by every rung of the ladder: length-grouped batches, AdamW with linear
warm-up and decay, optional distillation from teacher logits, masked-language-model pretraining,
progress lines with rate and ETA."""
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def cpu_has_bf16():
    """Whether this CPU multiplies bfloat16 natively (AVX-512 BF16 or AMX): then bf16 autocast trains
    about 3x faster than fp32 on it; elsewhere it is emulated and slower."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(next((line for line in f if line.startswith("flags")), "").split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def pick_autocast(device):
    """bf16 mixed precision where the hardware has it (a GPU, or a CPU with bf16 instructions), else None:
    weights, optimizer state and the loss stay fp32; only the matrix products run in bf16."""
    if device.type == "cuda" or (device.type == "cpu" and cpu_has_bf16()):
        return torch.bfloat16
    return None


def collate(token_ids, indices, pad_id=0, device="cpu"):
    """Pad to the longest sequence of this batch (dynamic padding)."""
    longest = max(len(token_ids[i]) for i in indices)
    ids = torch.full((len(indices), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(indices), longest), dtype=torch.long)
    for row, i in enumerate(indices):
        seq = token_ids[i]
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    return ids.to(device), mask.to(device)


def length_grouped_batches(lengths, batch_size, rng, chunk_batches=50):
    """Shuffle, cut into chunks of ~chunk_batches batches, sort each chunk by length, batch it,
    then shuffle the batch order. Random batches carry about twice the padding."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * chunk_batches
    batches = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches.extend(part[j : j + batch_size] for j in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


class Progress:
    """One line every `every` steps: step, loss, steps/s, ETA."""

    def __init__(self, total, label, every=50, log=print, done=0):
        self.total, self.label, self.every, self.log, self.done = total, label, every, log, done
        self.start = time.time()
        self.losses = []

    def step(self, n, loss):
        self.losses.append(loss)
        if n % self.every == 0 or n == self.total:
            elapsed = time.time() - self.start
            rate = (n - self.done) / elapsed
            eta = (self.total - n) / rate if rate > 0 else float("inf")
            self.log(f"[{self.label}] step {n}/{self.total} loss {np.mean(self.losses[-self.every:]):.4f} "
                     f"{rate:.2f} steps/s elapsed {elapsed:.0f}s eta {eta:.0f}s", flush=True)


@torch.no_grad()
def predict(model, token_ids, batch_size=64, device="cpu", autocast=None):
    """Logits for every sequence, batched by length so little padding is computed; in fp32 unless
    autocast names a dtype (see pick_autocast)."""
    model.eval()
    order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
    chunks = []
    device_type = device.type if hasattr(device, "type") else str(device)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        ids, mask = collate(token_ids, idx, device=device)
        with torch.autocast(device_type, dtype=autocast or torch.bfloat16, enabled=autocast is not None):
            chunks.append((idx, model(ids, mask).float().cpu().numpy()))
    out = np.zeros((len(token_ids), chunks[0][1].shape[1]), dtype=np.float32)
    for idx, logits in chunks:
        out[idx] = logits
    return out


def classification_metrics(logits, labels, num_labels=4):
    pred = np.asarray(logits).argmax(1)
    labels = np.asarray(labels)
    cm = np.zeros((num_labels, num_labels), dtype=int)
    for t, p in zip(labels, pred):
        cm[t, p] += 1
    f1s = []
    for c in range(num_labels):
        tp = cm[c, c]
        precision = tp / cm[:, c].sum() if cm[:, c].sum() else 0.0
        recall = tp / cm[c, :].sum() if cm[c, :].sum() else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {"accuracy": float((pred == labels).mean()), "macro_f1": float(np.mean(f1s)), "confusion_matrix": cm.tolist()}


def linear_warmup_decay(optimizer, total_steps, warmup_fraction):
    warmup = max(1, int(total_steps * warmup_fraction))

    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def optimisation(model, rows, batch_size, epochs, max_steps, lr, weight_decay, warmup_fraction, layer_lr_decay=None):
    """The step count, AdamW optimizer and warm-up/decay schedule of a training run."""
    steps_per_epoch = math.ceil(rows / batch_size)
    total = steps_per_epoch * epochs if max_steps is None else min(max_steps, steps_per_epoch * epochs)
    opt = torch.optim.AdamW(parameter_groups(model, lr, weight_decay, layer_lr_decay), lr=lr)
    return total, opt, linear_warmup_decay(opt, total, warmup_fraction)


def take_step(model, opt, sched, loss):
    """Backpropagate, clip the gradient norm at 1, update the weights and the learning rate."""
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()


def fit(model, train_ids, train_labels, *, epochs, lr, batch_size=32, warmup_fraction=0.1, weight_decay=0.01,
        seed=42, label="train", device="cpu", teacher_logits=None, distill_alpha=0.5, temperature=2.0,
        val_ids=None, val_labels=None, max_steps=None, rdrop_alpha=0.0, layer_lr_decay=None, autocast=None,
        checkpoint=None, checkpoint_every=200, log=print):
    """Train in place. With teacher_logits, the loss is alpha*T^2*KL(teacher||student at T) + (1-alpha)*CE.
    With rdrop_alpha > 0 (R-Drop), every batch runs twice with independent dropout; the loss is the mean
    of both cross-entropies plus rdrop_alpha times their symmetric KL, which asks the model to give the
    same answer whichever units dropout removes. With layer_lr_decay (layer-wise learning-rate decay),
    lr is the head's rate and each encoder level below it gets layer_lr_decay times the rate above it
    (see layer_lr_scales), so the pretrained lower layers move less than the new head. With autocast (a
    dtype, see pick_autocast) the forward pass runs in mixed precision.

    With checkpoint (a file path), the whole training state is saved there every checkpoint_every steps
    and at the end of every epoch, and a run that finds one resumes from it: the batch order of every
    epoch is drawn up front from the seed, so a resumed run takes the very batches it would have taken.

    Returns the history: per-epoch validation metrics (when val_ids is given) and seconds.
    """
    rng = random.Random(seed)
    torch.manual_seed(seed)
    lengths = [len(s) for s in train_ids]
    total, opt, sched = optimisation(model, len(train_ids), batch_size, epochs, max_steps, lr, weight_decay,
                                     warmup_fraction, layer_lr_decay)
    epoch_batches = [length_grouped_batches(lengths, batch_size, rng) for _ in range(epochs)]
    labels_t = torch.tensor(train_labels)
    teacher_t = None if teacher_logits is None else torch.tensor(teacher_logits, dtype=torch.float32)
    history = {"epochs": [], "steps": total}
    step, spent = 0, 0.0
    if checkpoint and os.path.exists(checkpoint):
        state = torch.load(checkpoint, map_location="cpu")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        step, spent, history = state["step"], state["seconds"], state["history"]
        log(f"[{label}] resumed from {checkpoint} at step {step}/{total}", flush=True)
    started = time.time() - spent
    progress = Progress(total, label, log=log, done=step)

    def save_checkpoint():
        if checkpoint:
            tmp = checkpoint + ".tmp"
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                        "torch_rng": torch.get_rng_state(), "step": step, "seconds": time.time() - started,
                        "history": history}, tmp)
            os.replace(tmp, checkpoint)

    first = 0
    for epoch, batches in enumerate(epoch_batches):
        epoch_steps = min(len(batches), max(0, total - first))
        if step >= first + epoch_steps:
            first += epoch_steps
            continue
        model.train()
        for batch in batches[step - first : epoch_steps]:
            ids, mask = collate(train_ids, batch, device=device)
            y = labels_t[batch].to(device)
            with torch.autocast(device.type if hasattr(device, "type") else str(device),
                                dtype=autocast or torch.bfloat16, enabled=autocast is not None):
                logits = model(ids, mask).float()
                second = model(ids, mask).float() if rdrop_alpha > 0 else None
            loss = rdrop_loss(logits, second, y, rdrop_alpha) if second is not None else F.cross_entropy(logits, y)
            if teacher_t is not None:
                t = teacher_t[batch].to(device)
                kl = F.kl_div(F.log_softmax(logits / temperature, -1), F.softmax(t / temperature, -1),
                              reduction="batchmean") * temperature ** 2
                loss = distill_alpha * kl + (1 - distill_alpha) * loss
            take_step(model, opt, sched, loss)
            step += 1
            progress.step(step, loss.item())
            if step % checkpoint_every == 0:
                save_checkpoint()
        first += epoch_steps
        entry = {"epoch": epoch + 1, "seconds": time.time() - started}
        if val_ids is not None:
            m = classification_metrics(predict(model, val_ids, device=device), val_labels)
            entry.update(accuracy=m["accuracy"], macro_f1=m["macro_f1"])
            log(f"[{label}] epoch {epoch + 1}: val accuracy {m['accuracy']:.4f} macro-F1 {m['macro_f1']:.4f}", flush=True)
        history["epochs"].append(entry)
        save_checkpoint()
    history["train_seconds"] = time.time() - started
    return history


def mask_tokens(ids, attention_mask, *, special_ids, mask_id, vocab_size, generator, probability=0.15):
    """BERT's masking for masked-language-model training: each real token that is not special is chosen
    with `probability`; a chosen token becomes mask_id 80% of the time, a random vocabulary id 10%, and
    stays itself 10% (so the model cannot learn that only [MASK] positions matter). Returns the corrupted
    ids and the chosen positions (bool), which the loss predicts. At least one token per batch is chosen
    whenever any is eligible, so a batch of short texts never has an empty loss."""
    eligible = attention_mask.bool() & ~torch.isin(ids, torch.tensor(special_ids))
    draw = torch.rand(ids.shape, generator=generator)
    chosen = (draw < probability) & eligible
    if not chosen.any() and eligible.any():
        chosen.view(-1)[torch.where(eligible.view(-1), draw.view(-1), 2.0).argmin()] = True
    roll = torch.rand(ids.shape, generator=generator)
    corrupted = ids.clone()
    corrupted[chosen & (roll < 0.8)] = mask_id
    randomised = chosen & (roll >= 0.8) & (roll < 0.9)
    corrupted[randomised] = torch.randint(vocab_size, ids.shape, generator=generator)[randomised]
    return corrupted, chosen


def fit_mlm(model, train_ids, *, epochs, lr, special_ids, mask_id, probability=0.15, batch_size=32,
            warmup_fraction=0.1, weight_decay=0.01, seed=42, label="mlm", device="cpu", max_steps=None, log=print):
    """Masked-language-model training of a bert.MaskedLanguageModel on unlabeled token ids, in place, with
    fit's batching and schedule (length-grouped batches, AdamW, linear warm-up then decay, clipping).
    Every epoch masks afresh. Returns the history: per-epoch mean loss and seconds."""
    rng = random.Random(seed)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    vocab_size = model.encoder.word_embeddings.num_embeddings
    lengths = [len(s) for s in train_ids]
    total, opt, sched = optimisation(model, len(train_ids), batch_size, epochs, max_steps, lr, weight_decay,
                                     warmup_fraction)
    progress = Progress(total, label, log=log)
    history = {"epochs": [], "steps": total}
    started = time.time()
    step = 0
    model.train()
    for epoch in range(epochs):
        losses = []
        for batch in length_grouped_batches(lengths, batch_size, rng):
            if step >= total:
                break
            ids, mask = collate(train_ids, batch)
            corrupted, chosen = mask_tokens(ids, mask, special_ids=special_ids, mask_id=mask_id,
                                            vocab_size=vocab_size, generator=generator, probability=probability)
            logits = model(corrupted.to(device), mask.to(device), chosen.to(device))
            loss = F.cross_entropy(logits, ids[chosen].to(device))
            take_step(model, opt, sched, loss)
            step += 1
            losses.append(loss.item())
            progress.step(step, loss.item())
        history["epochs"].append({"epoch": epoch + 1, "mean_loss": float(np.mean(losses)) if losses else None,
                                  "seconds": time.time() - started})
        if losses:
            log(f"[{label}] epoch {epoch + 1}: mean masked-token loss {np.mean(losses):.4f}", flush=True)
    history["train_seconds"] = time.time() - started
    return history


def layer_lr_scales(model, decay):
    """Learning-rate multiplier per parameter name for layer-wise decay: the head 1, the top encoder
    layer decay, each layer below one more factor of decay, the embeddings (everything else of the
    encoder) decay ** (layers + 1)."""
    layers = len(model.encoder.layers)
    scales = {}
    for name, _ in model.named_parameters():
        if not name.startswith("encoder."):
            depth = layers + 1
        elif name.startswith("encoder.layers."):
            depth = int(name.split(".")[2]) + 1
        else:
            depth = 0
        scales[name] = decay ** (layers + 1 - depth)
    return scales


def parameter_groups(model, lr, weight_decay, layer_lr_decay=None):
    """AdamW groups: no weight decay on biases and LayerNorms; one group per learning rate."""
    scales = {} if layer_lr_decay is None else layer_lr_scales(model, layer_lr_decay)
    groups = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        wd = 0.0 if p.ndim < 2 or "norm" in name else weight_decay
        group_lr = lr * scales.get(name, 1.0)
        groups.setdefault((group_lr, wd), {"params": [], "lr": group_lr, "weight_decay": wd})["params"].append(p)
    return list(groups.values())


def rdrop_loss(logits_a, logits_b, labels, alpha):
    """Mean cross-entropy of two dropout passes plus alpha times their symmetric KL divergence."""
    ce = 0.5 * (F.cross_entropy(logits_a, labels) + F.cross_entropy(logits_b, labels))
    log_a, log_b = F.log_softmax(logits_a, -1), F.log_softmax(logits_b, -1)
    kl = 0.5 * (F.kl_div(log_a, log_b, log_target=True, reduction="batchmean")
                + F.kl_div(log_b, log_a, log_target=True, reduction="batchmean"))
    return ce + alpha * kl


def average_state_dicts(states):
    """Uniform model soup: the element-wise mean of same-shaped state dicts, in float, cast back to
    each tensor's dtype (integer buffers, if any, would be averaged and truncated, so none may differ)."""
    keys = list(states[0])
    if any(list(s) != keys for s in states):
        raise ValueError("state dicts of different models cannot be averaged")
    averaged = {}
    for k in keys:
        tensors = [s[k].detach().cpu() for s in states]
        if not tensors[0].is_floating_point() and any(not torch.equal(t, tensors[0]) for t in tensors):
            raise ValueError(f"integer tensor {k} differs between state dicts")
        averaged[k] = torch.stack([t.double() for t in tensors]).mean(0).to(tensors[0].dtype)
    return averaged
