"""PyTorch's side of scripts/bench-pytorch.sh (mobl issue 15): seconds per UL iteration of the same two methods
that bench/src/main/java/io/mobl/bench/UlIterationBenchmark.java times in mobl, written the way a PyTorch user
would write them (nn.Module, autograd, torch.optim.SGD), float32, on the FORUM paper's hyper-cleaning network
(784-512-256 shared ReLU trunk, two 10-way heads).

  forum  stochastic FORUM (Alg. 1 as run in the paper's section 5.1): 5,000 training and 1,000 validation images
         per data set, sample-weight logits alpha (10,000), T = 64 SGD steps of eta = 0.3 on batches of 100 per
         data set from a copy of the model, q~ and its gradient on one such batch, grad F_i on 100 validation
         images each, QP (12) for lambda (m = 2), momentum, nu by Eq. (10), the update of Eq. (9) with
         learning rates 10 (alpha) and 0.3 (model).
  cg     WC-MHGD with conjugate gradient (N = 5) on 100 training and 100 validation images per data set:
         D = 64 gradient steps of 0.3 from the warm start, per objective grad f_s, CG on H v = grad_y f_s from the
         previous v (1 + 5 Hessian-vector products by double backward), the mixed product grad_x <grad_y g, v>,
         the weighted-Chebyshev weights (S = 2) and the x step.

Pixels and labels are seeded uniform numbers. The first iteration is a warm-up and is not counted, nor are
BENCH_WARMUP more (the script sets it for both sides).
Usage: python3 ul_iteration.py forum|cg [iterations] ; prints one JSON line.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU())
        self.heads = nn.ModuleList([nn.Linear(256, 10) for _ in range(2)])

    def forward(self, x, head):
        return self.heads[head](self.trunk(x))


def grads_of(f, params):
    """d f / d params, zeros for the parameters f does not use (the other data set's head)."""
    g = torch.autograd.grad(f, params, allow_unused=True)
    return [torch.zeros_like(p) if d is None else d for d, p in zip(g, params)]


def weighted_loss(model, alpha, batches, n_total, sizes):
    """G = sum over tasks of (N/N_i) sigma(alpha_k) CE_k / n, the batch mean of the sample-weight lower level."""
    n = sum(len(b[2]) for b in batches)
    loss = 0.0
    for i, (x, y, ids) in enumerate(batches):
        ce = F.cross_entropy(model(x, i), y, reduction="none")
        loss = loss + (n_total / sizes[i]) * (torch.sigmoid(alpha[ids]) * ce).sum() / n
    return loss


def forum_qp(gram, phi):
    """QP (12) for m = 2: min over lambda in the simplex of 1/2 |G lambda + nu b|^2 - nu phi, nu = max(pi.lambda, 0),
    by a fine scan and a golden-section refinement of the convex one-dimensional function of lambda_1."""
    c = [gram[0][2], gram[1][2]]
    bb = gram[2][2]
    pi = [(2 * phi - c[i]) / bb for i in range(2)] if bb > 0 else [0.0, 0.0]

    def theta(t):
        lam = [t, 1 - t]
        nu = max(lam[0] * pi[0] + lam[1] * pi[1], 0.0)
        q = sum(lam[i] * gram[i][j] * lam[j] for i in range(2) for j in range(2))
        return 0.5 * (q + 2 * nu * (lam[0] * c[0] + lam[1] * c[1]) + nu * nu * bb) - nu * phi

    lo, hi = 0.0, 1.0
    g = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if theta(a) <= theta(b):
            hi = b
        else:
            lo = a
    t = (lo + hi) / 2
    return [t, 1 - t], pi


def forum(iterations):
    torch.manual_seed(1)
    sizes = [5000, 5000]
    n_total = sum(sizes)
    train = [(torch.rand(5000, 784), torch.randint(0, 10, (5000,))) for _ in range(2)]
    val = [(torch.rand(1000, 784), torch.randint(0, 10, (1000,))) for _ in range(2)]
    offsets = [0, 5000]
    model = Net()
    alpha = torch.zeros(n_total, requires_grad=True)
    params = list(model.parameters())
    lam_prev = [0.5, 0.5]
    cursor = [0, 0]
    vcursor = [0, 0]

    def lower_batch():
        out = []
        for i in range(2):
            j = cursor[i] % 5000
            cursor[i] += 100
            x, y = train[i]
            out.append((x[j:j + 100], y[j:j + 100], torch.arange(offsets[i] + j, offsets[i] + j + 100)))
        return out

    def step(k):
        nonlocal lam_prev
        # lines 4-7: T SGD steps on a copy of the model
        inner = Net()
        inner.load_state_dict(model.state_dict())
        opt = torch.optim.SGD(inner.parameters(), lr=0.3)
        a = alpha.detach()
        for _ in range(64):
            loss = weighted_loss(inner, a, lower_batch(), n_total, sizes)
            opt.zero_grad()
            loss.backward()
            opt.step()
        # lines 8-9: q~ and its gradient on one batch
        batch = lower_batch()
        g_here = weighted_loss(model, alpha, batch, n_total, sizes)
        g_inner = weighted_loss(inner, alpha, batch, n_total, sizes)
        dq = torch.autograd.grad(g_here - g_inner, [alpha] + params, allow_unused=True)
        dq = [torch.zeros_like(p) if d is None else d for d, p in zip(dq, [alpha] + params)]
        # line 10: the objectives' gradients (zero in alpha)
        grads = []
        for i in range(2):
            j = vcursor[i] % 1000
            vcursor[i] += 100
            x, y = val[i]
            f = F.cross_entropy(model(x[j:j + 100], i), y[j:j + 100])
            gi = grads_of(f, params)
            grads.append([torch.zeros_like(alpha)] + list(gi))
        grads.append(dq)
        # line 11: QP (12) from the Gram matrix in the Euclidean metric
        gram = [[sum(float((u * v).sum()) for u, v in zip(grads[i], grads[j])) for j in range(3)] for i in range(3)]
        phi = 0.5 * 0.5 * gram[2][2]
        lam, pi = forum_qp(gram, phi)
        beta = (k + 1) ** -0.75
        smoothed = [(1 - beta) * lam_prev[i] + beta * lam[i] for i in range(2)]
        nu = max(smoothed[0] * pi[0] + smoothed[1] * pi[1], 0.0)
        coefficients = smoothed + [nu]
        # lines 14-15: z <- z + mu d, d = -(sum lambda_i grad F_i + nu grad q~)
        with torch.no_grad():
            for c, g in zip(coefficients, grads):
                alpha.add_(g[0], alpha=-10 * c)
                for p, gp in zip(params, g[1:]):
                    p.add_(gp, alpha=-0.3 * c)
        lam_prev = smoothed

    return run(step, iterations)


def cg(iterations):
    torch.manual_seed(1)
    train = [(torch.rand(100, 784), torch.randint(0, 10, (100,))) for _ in range(2)]
    val = [(torch.rand(100, 784), torch.randint(0, 10, (100,))) for _ in range(2)]
    sizes = [100, 100]
    model = Net()
    params = list(model.parameters())
    x = torch.zeros(200, requires_grad=True)
    preference = [0.5, 0.5]
    u = 0.1
    warm = [None, None]
    batches = [(train[i][0], train[i][1], torch.arange(100 * i, 100 * i + 100)) for i in range(2)]

    def g_of(weights_x):
        # the deterministic lower level: sum over tasks of the weighted mean loss, plus mu/2 |y|^2
        reg = 0.5e-3 * sum((p * p).sum() for p in params)
        return weighted_loss(model, weights_x, batches, 200, sizes) + reg

    def step(k):
        # D = 64 gradient steps from the warm start (the model's current parameters)
        opt = torch.optim.SGD(params, lr=0.3)
        xd = x.detach()
        for _ in range(64):
            loss = g_of(xd)
            opt.zero_grad()
            loss.backward()
            opt.step()
        # the Hessian of g at y^D, by double backward through one graph of grad_y g
        gy = torch.autograd.grad(g_of(x), params, create_graph=True)

        def hvp(v):
            return torch.autograd.grad(gy, params, grad_outputs=v, retain_graph=True)

        hypergradients = []
        values = []
        for s in range(2):
            f = F.cross_entropy(model(val[s][0], s), val[s][1])
            b = grads_of(f, params)
            values.append(float(f))
            v = [torch.zeros_like(p) for p in params] if warm[s] is None else warm[s]
            hv = hvp(v)
            r = [bi - hi for bi, hi in zip(b, hv)]
            p_ = [ri.clone() for ri in r]
            rr = sum(float((ri * ri).sum()) for ri in r)
            for _ in range(5):
                hp = hvp(p_)
                curvature = sum(float((pi * hi).sum()) for pi, hi in zip(p_, hp))
                if not curvature > 0:
                    break
                a = rr / curvature
                v = [vi + a * pi for vi, pi in zip(v, p_)]
                r = [ri - a * hi for ri, hi in zip(r, hp)]
                nxt = sum(float((ri * ri).sum()) for ri in r)
                p_ = [ri + (nxt / rr) * pi for ri, pi in zip(r, p_)]
                rr = nxt
            warm[s] = [vi.detach() for vi in v]
            # grad_x f - grad^2_xy g v, with grad_x f = 0
            jv = torch.autograd.grad(gy, x, grad_outputs=v, retain_graph=True)[0]
            hypergradients.append(-jv)
        # weighted-Chebyshev weights for S = 2 (the QP (5) of the WC-MHGD paper over the simplex, by a scan)
        g00 = float((hypergradients[0] * hypergradients[0]).sum())
        g01 = float((hypergradients[0] * hypergradients[1]).sum())
        g11 = float((hypergradients[1] * hypergradients[1]).sum())
        best, lam = None, 0.5
        for i in range(101):
            t = i / 100
            w = [preference[0] * t, preference[1] * (1 - t)]
            val_ = 0.5 * (w[0] * w[0] * g00 + 2 * w[0] * w[1] * g01 + w[1] * w[1] * g11) - u * (t * values[0] + (1 - t) * values[1])
            if best is None or val_ < best:
                best, lam = val_, t
        with torch.no_grad():
            x.add_(preference[0] * lam * hypergradients[0] + preference[1] * (1 - lam) * hypergradients[1], alpha=-1e3)

    return run(step, iterations)


CPU = []  # process CPU seconds per iteration (every thread), beside the wall seconds: steadier on a loaded machine


def run(step, iterations):
    seconds = []
    warm_up = int(os.environ.get("BENCH_WARMUP") or 0)  # besides the first iteration, as mobl's side
    for k in range(warm_up):
        step(k)
    for k in range(warm_up, warm_up + iterations + 1):
        start = time.perf_counter()
        cpu_start = time.process_time()
        step(k)
        if k > warm_up:
            seconds.append(time.perf_counter() - start)
            CPU.append(time.process_time() - cpu_start)
    return seconds


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def main():
    method = sys.argv[1] if len(sys.argv) > 1 else "forum"
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    seconds = forum(iterations) if method == "forum" else cg(iterations)
    print(json.dumps({"side": "pytorch", "method": method, "precision": "float32", "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "secondsPerIteration": seconds, "median": median(seconds),
                      "cpuSecondsPerIteration": CPU, "cpuMedian": median(CPU),
                      "warmUpIterations": 1 + int(os.environ.get("BENCH_WARMUP") or 0)}))


if __name__ == "__main__":
    main()
