"""PyTorch peer for Mtl.Bench's GemmBenchmarks: square float32 C = A·B at the same sizes.

Prints one JSON line per (threads, size) with the median GFLOP/s (2·n³ flops per product) over
timed repeats. Run without the OpenBLAS overrides so the library picks its own kernel:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 Mtl.Bench/Peer/gemm_peer.py
"""

import json
import statistics
import sys
import time

import torch

SIZES = [64, 128, 256, 512, 1024, 2048]
THREADS = [1, 2]


def median_gflops(n: int, repeats: int) -> tuple[float, float]:
    """Median GFLOP/s and CPU time / wall time (how many threads were really busy)."""
    gen = torch.Generator().manual_seed(n)
    a = torch.randn(n, n, dtype=torch.float32, generator=gen)
    b = torch.randn(n, n, dtype=torch.float32, generator=gen)
    c = torch.empty(n, n, dtype=torch.float32)
    flops = 2.0 * n * n * n
    # Enough products per sample that a sample lasts at least ~20 ms.
    inner = max(1, int(2e-2 * 50e9 / flops))
    for _ in range(3):
        torch.matmul(a, b, out=c)
    samples = []
    wall = cpu = 0.0
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(inner):
            torch.matmul(a, b, out=c)
        dt = time.perf_counter() - t0
        wall += dt
        cpu += time.process_time() - c0
        samples.append(flops * inner / dt / 1e9)
    return statistics.median(samples), cpu / wall


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    for threads in THREADS:
        torch.set_num_threads(threads)
        actual = torch.get_num_threads()
        for n in SIZES:
            gf, busy = median_gflops(n, repeats if n < 2048 else max(3, repeats // 3))
            print(json.dumps({"peer": "torch", "torch": torch.__version__, "threads": actual, "n": n,
                              "gflops_median": round(gf, 1), "cpu_per_wall": round(busy, 2)}), flush=True)


if __name__ == "__main__":
    main()
