using Mtl.Training.Export;

namespace Mtl.Tests.Training.Export;

/// <summary>The wire format against the examples of the Protocol Buffers encoding guide.</summary>
public class ProtobufWriterTests
{
    [Test]
    public void VarintsAreSevenBitsAByteLeastSignificantFirst()
    {
        Assert.That(new ProtobufWriter().Int64(1, 150).WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0x08, 0x96, 0x01 }));
        Assert.That(new ProtobufWriter().Int64(1, 300).WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0x08, 0xAC, 0x02 }));
        Assert.That(new ProtobufWriter().Int64(1, 0).WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0x08, 0x00 }));
        Assert.That(new ProtobufWriter().Int64(1, -1).WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }), "a negative int64 takes ten bytes");
        Assert.That(new ProtobufWriter().Int64(16, 1).WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0x80, 0x01, 0x01 }), "field 16's key needs two bytes");
    }

    [Test]
    public void StringsBytesAndMessagesAreLengthDelimited()
    {
        Assert.That(new ProtobufWriter().String(2, "testing").WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67 }));
        var inner = new ProtobufWriter().Int64(1, 150);
        Assert.That(new ProtobufWriter().Message(3, inner).WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0x1a, 0x03, 0x08, 0x96, 0x01 }));
        Assert.That(new ProtobufWriter().Bytes(9, new byte[200]).WrittenSpan[..3].ToArray(), Is.EqualTo(new byte[] { 0x4a, 0xC8, 0x01 }), "a length over 127 is a two-byte varint");
    }

    [Test]
    public void FloatsAreFourLittleEndianBytesAndRepeatedFieldsRepeatTheKey()
    {
        Assert.That(new ProtobufWriter().Float(2, 1f).WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F }));
        Assert.That(new ProtobufWriter().RepeatedInt64(1, [3, -1]).WrittenSpan.ToArray(),
            Is.EqualTo(new byte[] { 0x08, 0x03, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtobufWriter().Int64(0, 1));
    }
}
