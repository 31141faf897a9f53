"""PyTorch goldens for Mtl.Tests/Layers/NormGoldenTests.cs (LayerNorm and BatchNorm1d).

Run with /usr/bin/python3 norm_goldens.py; paste the output into the test. Inputs are explicit
numbers (no random generator), everything in float64.
"""
import torch

torch.set_default_dtype(torch.float64)


def show(name, t):
    values = ", ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())
    print(f"    private static readonly double[] {name} = [{values}];")


x = torch.tensor([[0.5, -1.25, 2.0, 0.75], [-0.3, 0.1, 0.9, -2.2], [1.5, 1.4, -0.6, 0.05]])
r = torch.tensor([[0.2, -0.7, 1.1, 0.4], [-1.3, 0.6, 0.05, 0.9], [0.35, -0.25, -0.8, 1.6]])

# LayerNorm over the last axis, with a non-trivial affine transform.
ln = torch.nn.LayerNorm(4)
with torch.no_grad():
    ln.weight.copy_(torch.tensor([1.5, -0.5, 0.8, 1.2]))
    ln.bias.copy_(torch.tensor([0.1, 0.2, -0.3, 0.0]))
xl = x.clone().requires_grad_(True)
y = ln(xl)
(y * r).sum().backward()
show("LayerNormOutput", y)
show("LayerNormInputGrad", xl.grad)
show("LayerNormWeightGrad", ln.weight.grad)
show("LayerNormBiasGrad", ln.bias.grad)

# BatchNorm1d: two training steps (second on x * 2 - 1), then evaluation on x.
bn = torch.nn.BatchNorm1d(4)
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.5, -0.5, 0.8, 1.2]))
    bn.bias.copy_(torch.tensor([0.1, 0.2, -0.3, 0.0]))
bn.train()
xb = x.clone().requires_grad_(True)
y1 = bn(xb)
(y1 * r).sum().backward()
show("BatchNormTrainOutput", y1)
show("BatchNormInputGrad", xb.grad)
show("BatchNormWeightGrad", bn.weight.grad)
show("BatchNormBiasGrad", bn.bias.grad)
show("BatchNormRunningMean1", bn.running_mean)
show("BatchNormRunningVar1", bn.running_var)
bn(x * 2 - 1)
show("BatchNormRunningMean2", bn.running_mean)
show("BatchNormRunningVar2", bn.running_var)
print(f"    private const double BatchNormBatchesTracked = {int(bn.num_batches_tracked)};")
bn.eval()
show("BatchNormEvalOutput", bn(x))
