using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Optim;

namespace Mtl.Tests.Training.Optim;

/// <summary>Large parameters are updated on two threads; the result must not depend on that.</summary>
public class ParallelAdamTests
{
    [TestCase(false, 0.0, false)]
    [TestCase(true, 0.0, false)]
    [TestCase(false, 0.01, false)]
    [TestCase(false, 0.01, true)]
    public void LargeParameterUpdatesAreBitwiseTheSameForOneAndTwoThreads(bool amsgrad, double weightDecay, bool decoupled)
    {
        // 3·2^16 + 77 elements: above the parallel threshold and not a multiple of any vector width.
        var shape = new Shape(3 * 65536 + 77);
        float[] Run(int threads)
        {
            int saved = MtlThreads.Count;
            try
            {
                MtlThreads.Count = threads;
                var random = new SeededRandom(9);
                var p = Var<float>.Parameter(Tensor.RandomNormal<float>(random, shape), "p");
                var options = new AdamOptions { LearningRate = 1e-2, Amsgrad = amsgrad, WeightDecay = weightDecay };
                Optimizer<float> optimizer = decoupled ? new AdamW<float>([new("p", p)], options) : new Adam<float>([new("p", p)], options);
                for (int step = 0; step < 3; step++)
                {
                    optimizer.ZeroGrad();
                    ((p.Square() * 0.5f) + p.Tanh()).Sum().Backward();
                    optimizer.Step();
                }

                return p.Data.ToArray();
            }
            finally
            {
                MtlThreads.Count = saved;
            }
        }

        var one = Run(1);
        var two = Run(2);
        Assert.That(two, Is.EqualTo(one));
        Assert.That(one, Has.Length.GreaterThan(AdamUpdate.ParallelThreshold));
    }
}
