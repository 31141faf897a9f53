"""Golden values for Mtl.Tests/Training/Losses/LossGoldenTests.cs, from PyTorch in float64.

Run: /usr/bin/python3 loss_goldens.py   (prints the values pasted into the test)
"""
import torch
import torch.nn.functional as F

torch.set_printoptions(precision=17)
d = torch.float64

pred = torch.tensor([[0.3], [-1.7], [2.5], [0.05], [-0.4]], dtype=d, requires_grad=True)
target = torch.tensor([0.1, 0.2, -0.6, 0.05, 1.9], dtype=d).reshape(5, 1)


def show(name, loss, x):
    x.grad = None
    loss.backward()
    print(f"{name}: value {loss.item()!r}")
    print(f"{name}: grad {[repr(v) for v in x.grad.flatten().tolist()]}")


show("mse", F.mse_loss(pred, target), pred)
show("l1", F.l1_loss(pred, target), pred)
show("huber delta=1", F.huber_loss(pred, target, delta=1.0), pred)
show("huber delta=0.5", F.huber_loss(pred, target, delta=0.5), pred)
show("huber delta=1 sum", F.huber_loss(pred, target, delta=1.0, reduction="sum"), pred)

logits = torch.tensor([[0.0, 3.2, -1.5], [45.0, -45.0, 0.7], [-0.3, 0.8, 12.0], [-800.0, 2.0, 0.0]], dtype=d, requires_grad=True)
attrs = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0]], dtype=d)
show("bce", F.binary_cross_entropy_with_logits(logits, attrs), logits)
pw = torch.tensor([2.0, 0.5, 3.0], dtype=d)
show("bce pos_weight", F.binary_cross_entropy_with_logits(logits, attrs, pos_weight=pw), logits)

ce_logits = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.1, -0.2, 3.0, 0.0], [-2.0, 5.0, 1.0, 30.0]], dtype=d, requires_grad=True)
labels = torch.tensor([1, 3, 3])
show("ce", F.cross_entropy(ce_logits, labels), ce_logits)
show("ce sum", F.cross_entropy(ce_logits, labels, reduction="sum"), ce_logits)
