"""Training-step peer for bench/train.ts: the same Llama-style decoder in PyTorch on CPU.

Embedding, per layer (RMSNorm, Q/K/V/O projections, RoPE, causal GQA attention, RMSNorm, SwiGLU
FFN), final RMSNorm, untied output projection; cross-entropy on every next token of a random
(batch, seq) batch; AdamW (0.9, 0.95), weight decay 0.1. Float32, `--threads` intra-op threads.
Prints one JSON line: {"step_ms": [...], "tokens_per_s": median-step throughput, "params": n}.

Needs PyTorch (Debian: apt-get install -y python3-torch libopenblas0-pthread). Not used by tests.
"""

import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


class RMSNorm(torch.nn.Module):
    def __init__(self, c, eps=1e-5):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(c))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(T, D, theta=10000.0):
    inv = 1.0 / (theta ** (torch.arange(0, D, 2).float() / D))
    ang = torch.outer(torch.arange(T).float(), inv)  # (T, D/2)
    return torch.cos(ang), torch.sin(ang)


def apply_rope(x, cos, sin):
    # x (B, H, T, D), neox pairs (i, i + D/2)
    h = x.shape[-1] // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Block(torch.nn.Module):
    def __init__(self, C, H, Hkv, Fdim):
        super().__init__()
        self.H, self.Hkv, self.D = H, Hkv, C // H
        self.attn_norm = RMSNorm(C)
        self.q = torch.nn.Linear(C, H * self.D, bias=False)
        self.k = torch.nn.Linear(C, Hkv * self.D, bias=False)
        self.v = torch.nn.Linear(C, Hkv * self.D, bias=False)
        self.o = torch.nn.Linear(H * self.D, C, bias=False)
        self.ffn_norm = RMSNorm(C)
        self.gate = torch.nn.Linear(C, Fdim, bias=False)
        self.up = torch.nn.Linear(C, Fdim, bias=False)
        self.down = torch.nn.Linear(Fdim, C, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, C = x.shape
        h = self.attn_norm(x)
        q = self.q(h).view(B, T, self.H, self.D).transpose(1, 2)
        k = self.k(h).view(B, T, self.Hkv, self.D).transpose(1, 2)
        v = self.v(h).view(B, T, self.Hkv, self.D).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        rep = self.H // self.Hkv
        if rep > 1:
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.D)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.o(y)
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(torch.nn.Module):
    def __init__(self, V, C, L, H, Hkv, Fdim):
        super().__init__()
        self.embd = torch.nn.Embedding(V, C)
        self.blocks = torch.nn.ModuleList([Block(C, H, Hkv, Fdim) for _ in range(L)])
        self.norm = RMSNorm(C)
        self.out = torch.nn.Linear(C, V, bias=False)

    def forward(self, tokens, cos, sin, mask):
        x = self.embd(tokens)
        for b in self.blocks:
            x = b(x, cos, sin, mask)
        return self.out(self.norm(x))


def main():
    p = argparse.ArgumentParser()
    for name, default in [("vocab", 320), ("hidden", 256), ("layers", 4), ("heads", 4), ("kv_heads", 4),
                          ("ffn", 768), ("seq", 256), ("batch", 8), ("steps", 5), ("threads", 2)]:
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Model(a.vocab, a.hidden, a.layers, a.heads, a.kv_heads, a.ffn)
    decay = [q for q in model.parameters() if q.dim() >= 2]
    no_decay = [q for q in model.parameters() if q.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    cos, sin = rope_tables(a.seq, a.hidden // a.heads)
    mask = torch.triu(torch.ones(a.seq, a.seq, dtype=torch.bool), diagonal=1)
    g = torch.Generator().manual_seed(1)
    times = []
    for step in range(a.steps + 1):
        tokens = torch.randint(0, a.vocab, (a.batch, a.seq), generator=g)
        t0 = time.perf_counter()
        logits = model(tokens, cos, sin, mask)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, a.vocab), tokens[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step > 0:  # the first step pays for allocation and thread start-up
            times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "params": sum(q.numel() for q in model.parameters()),
        "step_ms": [round(t * 1000, 1) for t in times],
        "tokens_per_s": a.batch * a.seq / median,
    }))


if __name__ == "__main__":
    main()
