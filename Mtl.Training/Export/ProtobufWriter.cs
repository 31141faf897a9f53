using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Mtl.Training.Export;

/// <summary>
/// The Protocol Buffers wire format, as much of it as ONNX files need. A field is a key
/// (field number &lt;&lt; 3 | wire type) as a varint, then its value: wire type 0 a varint (int32, int64 and
/// enums; a negative value is its two's-complement 64-bit pattern, ten bytes), 2 a varint length and that
/// many bytes (strings, bytes, nested messages), 5 four little-endian bytes (float). A varint is 7 bits a
/// byte, least significant group first, the high bit set on every byte but the last. A nested message is
/// built in its own writer first, so its length is known when it is written.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int Varint = 0;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>An int32, int64 or enum field.</summary>
    public ProtobufWriter Int64(int field, long value)
    {
        Key(field, Varint);
        RawVarint((ulong)value);
        return this;
    }

    /// <summary>A repeated int64 field, one key per element (proto2's unpacked form, which every parser reads).</summary>
    public ProtobufWriter RepeatedInt64(int field, ReadOnlySpan<long> values)
    {
        foreach (long v in values)
        {
            Int64(field, v);
        }

        return this;
    }

    /// <summary>A float field.</summary>
    public ProtobufWriter Float(int field, float value)
    {
        Key(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    /// <summary>A string field, UTF-8.</summary>
    public ProtobufWriter String(int field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Bytes(field, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>A bytes field.</summary>
    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, LengthDelimited);
        RawVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A nested message field.</summary>
    public ProtobufWriter Message(int field, ProtobufWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bytes(field, message.WrittenSpan);
    }

    private void Key(int field, int wireType)
    {
        if (field is < 1 or > (1 << 29) - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(field), $"Protobuf: field number {field} is outside 1..2^29 − 1.");
        }

        RawVarint(((ulong)field << 3) | (uint)wireType);
    }

    private void RawVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
