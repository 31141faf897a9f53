using Mtl.Training.Metrics;

namespace Mtl.Tests.Training.Metrics;

public class RocAucTests
{
    [Test]
    public void KnownRanking()
    {
        // scikit-learn's roc_auc_score docstring example: y = [0, 0, 1, 1], s = [0.1, 0.4, 0.35, 0.8] -> 0.75.
        // By pairs: positive 0.35 beats 0.1 only, positive 0.8 beats both: 3 of 4.
        Assert.That(RocAuc.Binary<double>([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), Is.EqualTo(0.75));
    }

    [Test]
    public void AllEqualScoresGiveOneHalf()
    {
        Assert.That(RocAuc.Binary<float>([0.3f, 0.3f, 0.3f, 0.3f, 0.3f], [0, 1, 1, 0, 1]), Is.EqualTo(0.5));
    }

    [Test]
    public void TiesBetweenClassesCountOneHalf()
    {
        // Pairs (positive, negative): (0.5, 0.1) 1, (0.5, 0.5) ½, (0.9, 0.1) 1, (0.9, 0.5) 1 -> 3.5 / 4.
        Assert.That(RocAuc.Binary<double>([0.1, 0.5, 0.5, 0.9], [0, 0, 1, 1]), Is.EqualTo(0.875));
    }

    [Test]
    public void PerfectAndReversedRankings()
    {
        Assert.That(RocAuc.Binary<double>([1, 2, 3, 4], [0, 0, 1, 1]), Is.EqualTo(1.0));
        Assert.That(RocAuc.Binary<double>([4, 3, 2, 1], [0, 0, 1, 1]), Is.Zero);
    }

    [Test]
    public void AgreesWithCountingPairsOnRandomData()
    {
        var random = new Random(12);
        var scores = Enumerable.Range(0, 200).Select(_ => Math.Round(random.NextDouble() * 20) / 20).ToArray();
        var labels = Enumerable.Range(0, 200).Select(_ => random.Next(2)).ToArray();
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < 200; i++)
        {
            for (int j = 0; j < 200; j++)
            {
                if (labels[i] == 1 && labels[j] == 0)
                {
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                    pairs++;
                }
            }
        }

        Assert.That(RocAuc.Binary<double>(scores, labels), Is.EqualTo(wins / pairs).Within(1e-12));
    }

    [Test]
    public void MaskedRowsAreIgnored()
    {
        // Without the mask the misranked last negative (score 0.95) costs two pairs.
        double[] scores = [0.1, 0.2, 0.8, 0.9, 0.95];
        int[] labels = [0, 0, 1, 1, 0];
        Assert.That(RocAuc.Binary<double>(scores, labels), Is.EqualTo(4.0 / 6));
        Assert.That(RocAuc.Binary<double>(scores, labels, [1, 1, 1, 1, 0]), Is.EqualTo(1.0));
    }

    [Test]
    public void OneClassOrNoRowsGiveNaN()
    {
        Assert.That(RocAuc.Binary<double>([0.1, 0.7], [1, 1]), Is.NaN);
        Assert.That(RocAuc.Binary<double>([0.1, 0.7], [0, 1], [0, 1]), Is.NaN, "the mask leaves one class");
        Assert.That(RocAuc.Binary<double>([], []), Is.NaN);
    }

    [Test]
    public void BadLabelsAndNaNScoresAreErrors()
    {
        Assert.That(() => RocAuc.Binary<double>([0.1, 0.7], [0, 2]), Throws.ArgumentException.With.Message.Contain("label 2"));
        Assert.That(() => RocAuc.Binary<double>([double.NaN, 0.7], [0, 1]), Throws.ArgumentException.With.Message.Contain("NaN"));
    }
}
