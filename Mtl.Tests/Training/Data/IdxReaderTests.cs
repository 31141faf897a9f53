using System.Buffers.Binary;
using System.IO.Compression;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class IdxReaderTests
{
    // Reference numbers from an independent reader, run in the repository root:
    // python3 -c "import gzip,struct;d=gzip.open('data/fashion-mnist/t10k-images-idx3-ubyte.gz').read();
    //   print(struct.unpack('>IIII',d[:16]),sum(d[16:16+784]),sum(d[16:]));
    //   l=gzip.open('data/fashion-mnist/t10k-labels-idx1-ubyte.gz').read();print(struct.unpack('>II',l[:8]),list(l[8:18]))"
    // -> (2051, 10000, 28, 28) 33456 573469082 / (2049, 10000) [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    private const long FirstImageByteSum = 33456;
    private const long AllBytesSum = 573469082;
    private static readonly int[] FirstLabels = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7];

    [Test]
    public void BundledTestSplitHas10000ImagesOf28x28ScaledToUnitRange()
    {
        var images = IdxReader.ReadImages<double>(TestData.FashionImages);
        Assert.That(images.Shape.ToArray(), Is.EqualTo(new[] { 10000, 1, 28, 28 }));
        var pixels = images.ReadOnlySpan;
        double first = 0, all = 0, max = 0;
        for (int i = 0; i < pixels.Length; i++)
        {
            first += i < 784 ? pixels[i] : 0;
            all += pixels[i];
            max = Math.Max(max, pixels[i]);
        }

        Assert.That(first, Is.EqualTo(FirstImageByteSum / 255.0).Within(1e-9));
        Assert.That(all, Is.EqualTo(AllBytesSum / 255.0).Within(1e-4));
        Assert.That(max, Is.EqualTo(1.0));
        Assert.That(images.ReadOnlySpan.ToArray().Min(), Is.Zero);
    }

    [Test]
    public void BundledLabelsMatchTheReference()
    {
        int[] labels = IdxReader.ReadLabels(TestData.FashionLabels);
        Assert.That(labels, Has.Length.EqualTo(10000));
        Assert.That(labels.Take(10), Is.EqualTo(FirstLabels));
        Assert.That(labels.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(labels.Count(l => l == 0), Is.EqualTo(1000), "the test split is balanced");
    }

    [Test]
    public void FashionMnistLoadsAsAOneTaskDataset()
    {
        var d = FashionMnist.Load<float>(TestData.FashionImages, TestData.FashionLabels);
        Assert.That(d.Rows, Is.EqualTo(10000));
        var label = d.Task("label");
        Assert.That(label.ClassNames[label.Classes![0]], Is.EqualTo("Ankle boot"));
        Assert.That(label.PresentCount, Is.EqualTo(10000));
    }

    [Test]
    public void SideBySideJoinsTwoDifferentItemsAndLabelsEachHalf()
    {
        var d = FashionMnist.Load<float>(TestData.FashionImages, TestData.FashionLabels);
        var pairs = FashionMnist.SideBySide(d, 500, seed: 4);
        Assert.That(pairs.Features.Shape.ToArray(), Is.EqualTo(new[] { 500, 1, 28, 56 }));
        Assert.That(pairs.Tasks.Select(t => t.Name), Is.EqualTo(new[] { "left", "right" }));

        var byContent = IndexImages(d.Features.ReadOnlySpan.ToArray());
        var labels = d.Task("label").Classes!;
        var joined = pairs.Features.ReadOnlySpan;
        int differentLabels = 0;
        for (int i = 0; i < 500; i++)
        {
            var left = byContent.GetValueOrDefault(Key(Half(joined, i, 0)), []);
            var right = byContent.GetValueOrDefault(Key(Half(joined, i, 28)), []);
            Assert.That(left.Select(n => labels[n]), Has.Member(pairs.Task("left").Classes![i]), $"pair {i}: the left half is a source image with that label");
            Assert.That(right.Select(n => labels[n]), Has.Member(pairs.Task("right").Classes![i]), $"pair {i}: the right half is a source image with that label");
            differentLabels += pairs.Task("left").Classes![i] != pairs.Task("right").Classes![i] ? 1 : 0;
        }

        Assert.That(differentLabels, Is.GreaterThan(400), "labels of the halves are independent (about 90% differ)");
        var again = FashionMnist.SideBySide(d, 500, seed: 4);
        Assert.That(again.Features.ContentEquals(pairs.Features), Is.True);
        Assert.That(FashionMnist.SideBySide(d, 500, seed: 5).Features.ContentEquals(pairs.Features), Is.False);
    }

    [Test]
    public void WrongMagicIsAClearError()
    {
        // A label file read as images.
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages<float>(TestData.FashionLabels));
        Assert.That(e!.Message, Does.Contain("t10k-labels").And.Contain("0x00000801").And.Contain("0x00000803"));

        string path = TestData.TempFile("bad-magic.idx");
        File.WriteAllBytes(path, Header(0x00000903, 1).Concat(new byte[] { 1 }).ToArray());
        Assert.That(() => IdxReader.ReadLabels(path), Throws.TypeOf<DataFormatException>().With.Message.Contain("0x00000903"));
    }

    [Test]
    public void TruncatedPayloadIsAClearError()
    {
        byte[] raw = Decompress(TestData.FashionImages);
        string path = TestData.TempFile("short-images.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gz.Write(raw, 0, raw.Length - 100);
        }

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages<float>(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("truncated").And.Contain("7840000"));
    }

    [Test]
    public void TruncatedGzipFileIsAClearError()
    {
        byte[] gz = File.ReadAllBytes(TestData.FashionLabels);
        string path = TestData.TempFile("cut-labels.gz");
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [Test]
    public void ShortHeaderZeroCountsAndTrailingBytesAreErrors()
    {
        string path = TestData.TempFile("tiny.idx");
        File.WriteAllBytes(path, [0, 0, 8]);
        Assert.That(() => IdxReader.ReadLabels(path), Throws.TypeOf<DataFormatException>().With.Message.Contain("header"));

        File.WriteAllBytes(path, Header(0x00000801, 0));
        Assert.That(() => IdxReader.ReadLabels(path), Throws.TypeOf<DataFormatException>().With.Message.Contain("positive"));

        File.WriteAllBytes(path, Header(0x00000801, 2).Concat(new byte[] { 1, 2, 3 }).ToArray());
        Assert.That(() => IdxReader.ReadLabels(path), Throws.TypeOf<DataFormatException>().With.Message.Contain("longer"));

        File.WriteAllBytes(path, Header(0x00000801, 2).Concat(new byte[] { 1, 2 }).ToArray());
        Assert.That(IdxReader.ReadLabels(path), Is.EqualTo(new[] { 1, 2 }), "an uncompressed file is read too");
    }

    [Test]
    public void DimensionsWhoseProductOverflowsAreAClearError()
    {
        // 2^30 · 2^30 · 16 = 2^64 wraps to 0 in 64 bits, which would match an empty payload.
        string path = TestData.TempFile("huge-images.idx");
        File.WriteAllBytes(path, ImagesHeader(1 << 30, 1 << 30, 16));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages<float>(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("[1073741824 x 1073741824 x 16]").And.Contain("overflow"));

        // The largest counts: (2^31 - 1)^3 overflows too, and a product that fits in 64 bits but not in one tensor is named as such.
        File.WriteAllBytes(path, ImagesHeader(int.MaxValue, int.MaxValue, int.MaxValue));
        Assert.That(() => IdxReader.ReadImages<float>(path), Throws.TypeOf<DataFormatException>().With.Message.Contain("[2147483647 x 2147483647 x 2147483647]"));
        File.WriteAllBytes(path, [.. ImagesHeader(65536, 256, 256), 1, 2, 3]);
        Assert.That(
            () => IdxReader.ReadImages<float>(path),
            Throws.TypeOf<DataFormatException>().With.Message.Contain("[65536 x 256 x 256] needs 4294967296 bytes").And.Message.Contain("the file has 3"));
    }

    [Test]
    public void HugeCountsInAGzipFileAreCheckedWithoutAllocatingThem()
    {
        string path = TestData.TempFile("huge-images.gz");
        foreach (var (rows, cols, payload) in new[] { (256, 256, 3), (65536, 256, 3), (20000, 256, 70000) })
        {
            using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            {
                gz.Write([.. ImagesHeader(rows, cols, 256), .. new byte[payload]]);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages<float>(path));
            Assert.That(e!.Message, Does.Contain(path).And.Contain($"[{rows} x {cols} x 256] needs {(long)rows * cols * 256} bytes").And.Contain($"the file has {payload}"));
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(16 << 20), "memory follows the bytes that are there, not the header's claim");
        }
    }

    [Test]
    public void MissingFileIsFileNotFound()
    {
        Assert.That(() => IdxReader.ReadImages<float>(TestData.TempFile("none.gz")), Throws.TypeOf<FileNotFoundException>());
    }

    private static byte[] Header(int magic, int count)
    {
        var h = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(h, magic);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), count);
        return h;
    }

    private static byte[] ImagesHeader(int count, int rows, int cols)
    {
        var h = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(h, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(12), cols);
        return h;
    }

    private static byte[] Decompress(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var m = new MemoryStream();
        gz.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>Source images by content (the image bytes as a string key).</summary>
    private static Dictionary<string, List<int>> IndexImages(float[] pixels)
    {
        var index = new Dictionary<string, List<int>>();
        for (int n = 0; n < pixels.Length / 784; n++)
        {
            string key = Key(pixels.AsSpan(n * 784, 784));
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }

            list.Add(n);
        }

        return index;
    }

    private static string Key(ReadOnlySpan<float> image)
    {
        var bytes = new byte[image.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)Math.Round(image[i] * 255);
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>The 28x28 half of pair <paramref name="pair"/> starting at column <paramref name="column"/>.</summary>
    private static float[] Half(ReadOnlySpan<float> joined, int pair, int column)
    {
        var half = new float[784];
        for (int y = 0; y < 28; y++)
        {
            joined.Slice((((pair * 28) + y) * 56) + column, 28).CopyTo(half.AsSpan(y * 28));
        }

        return half;
    }
}
