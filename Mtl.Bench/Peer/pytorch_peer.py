"""The PyTorch peer for Mtl.Bench's quick mode.

Runs the same float32 GEMM sizes and the same multi-task training steps (three dense, one CNN) as
`dotnet run -c Release --project Mtl.Bench -- quick`, with 1 and 2 threads, and prints one JSON
document on stdout:

    {"torch": "...", "threads": [1, 2],
     "gemm": [{"n": .., "threads": .., "gflops": ..}, ...],
     "train_step": [{"config": "small", "threads": .., "ms_per_step": ..}, ...]}

Model (as in Mtl.Bench/Quick/TrainStepBench.cs): trunk Linear(in,h)-ReLU-Linear(h,h)-ReLU; tasks 0
and 2 a Linear(h,1) head with MSE, task 1 a Linear(h,10) head with cross-entropy on integer labels;
loss = sum of the three; Adam lr 1e-3. One step = zero_grad, forward, backward, step.

Run with Debian's interpreter, which has torch: /usr/bin/python3 Mtl.Bench/Peer/pytorch_peer.py
The harness sets OPENBLAS_CORETYPE to the OpenBLAS kernel of the instruction set Mtl is measured
with (SkylakeX for AVX-512, Haswell for AVX2): OpenBLAS 0.3.21 does not recognise every recent CPU
and falls back to its slow generic (Prescott) kernel on some, which would flatter Mtl.

torch.set_num_threads does not reach OpenBLAS's own thread pool (Debian's torch calls OpenBLAS for
matmul), so the thread count is also set through OpenBLAS's C API; "threads 1" is then one thread.
"""
import ctypes
import ctypes.util
import json
import statistics
import sys
import time

import torch
import torch.nn as nn

GEMM_SIZES = [64, 128, 256, 512, 1024]
CONFIGS = [("small", 64, 32, 64), ("medium", 256, 256, 512), ("large", 512, 1024, 2048)]


def median_seconds(fn, min_seconds, min_reps=5):
    for _ in range(3):
        fn()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(times) < min_reps:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_gemm(n, seconds):
    g = torch.Generator().manual_seed(n)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    c = torch.empty(n, n)
    t = median_seconds(lambda: torch.matmul(a, b, out=c), seconds)
    return 2.0 * n * n * n / t / 1e9


class Model(nn.Module):
    def __init__(self, d_in, hidden):
        super().__init__()
        self.shared = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.heads = nn.ModuleList([nn.Linear(hidden, 1), nn.Linear(hidden, 10), nn.Linear(hidden, 1)])

    def forward(self, x):
        h = self.shared(x)
        return [head(h) for head in self.heads]


def bench_train_step(batch, d_in, hidden, seconds):
    torch.manual_seed(0)
    model = Model(d_in, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, d_in)
    y0 = torch.randn(batch, 1)
    y1 = torch.randint(0, 10, (batch,))
    y2 = torch.randn(batch, 1)
    mse = nn.MSELoss()
    ce = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        o0, o1, o2 = model(x)
        loss = mse(o0, y0) + ce(o1, y1) + mse(o2, y2)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    return median_seconds(step, seconds) * 1e3


class Cnn(nn.Module):
    """The fashion example's two-head CNN (Mtl.Bench/Quick/TrainStepBench.cs, Models.FashionCnn)."""

    def __init__(self):
        super().__init__()
        self.shared = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 7 * 14, 64), nn.ReLU())
        self.heads = nn.ModuleList([nn.Linear(64, 10), nn.Linear(64, 10)])

    def forward(self, x):
        h = self.shared(x)
        return [head(h) for head in self.heads]


def bench_cnn_step(batch, seconds):
    torch.manual_seed(0)
    model = Cnn()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    x = torch.rand(batch, 1, 28, 56)
    left = torch.randint(0, 10, (batch,))
    right = torch.randint(0, 10, (batch,))
    ce = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        o0, o1 = model(x)
        loss = ce(o0, left) + ce(o1, right)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    return median_seconds(step, seconds) * 1e3


def openblas():
    """OpenBLAS as loaded by torch (same soname, so the same copy), or None."""
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib
        except (OSError, AttributeError):
            continue
    return None


def main():
    quick = "--fast" in sys.argv
    blas = openblas()
    gemm_seconds = 0.2 if quick else 0.5
    step_seconds = 0.5 if quick else 2.0
    out = {"torch": torch.__version__, "threads": [1, 2], "gemm": [], "train_step": [],
           "openblas_core": blas.openblas_get_corename().decode() if blas else None}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        if blas:
            blas.openblas_set_num_threads(threads)
        for n in GEMM_SIZES:
            out["gemm"].append({"n": n, "threads": threads, "gflops": round(bench_gemm(n, gemm_seconds), 2)})
        for name, batch, d_in, hidden in CONFIGS:
            ms = bench_train_step(batch, d_in, hidden, step_seconds)
            out["train_step"].append({"config": name, "threads": threads, "ms_per_step": round(ms, 4)})
        ms = bench_cnn_step(64, step_seconds)
        out["train_step"].append({"config": "cnn", "threads": threads, "ms_per_step": round(ms, 4)})
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
