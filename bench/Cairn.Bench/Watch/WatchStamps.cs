using System.Buffers.Binary;

namespace Cairn.Bench.Watch;

/// <summary>
/// Reads a serialized <c>WatchResponse</c> for what the fan-out benchmark needs: whether it is a
/// created response and, per event, the send stamp its value starts with. It walks the bytes
/// in place (no message objects, no copies): the client shares the machine with the server it
/// measures, so each microsecond it spends per event is taken from the server.
/// </summary>
internal static class WatchStamps
{
    private const int CreatedField = 3;  // bool
    private const int EventsField = 11;  // repeated mvccpb.Event
    private const int KeyValueField = 2; // Event.kv
    private const int ValueField = 5;    // KeyValue.value

    /// <summary>
    /// Appends the stamps of <paramref name="response"/>'s events to <paramref name="stamps"/>
    /// (from <paramref name="count"/> on, growing it when needed); returns whether it is a created response.
    /// </summary>
    public static bool Read(ReadOnlySpan<byte> response, ref long[] stamps, ref int count)
    {
        bool created = false;
        while (!response.IsEmpty)
        {
            var (field, wireType) = ReadTag(ref response);
            if (field == CreatedField && wireType == 0)
            {
                created = ReadVarint(ref response) != 0;
            }
            else if (field == EventsField && wireType == 2)
            {
                var evt = ReadLengthDelimited(ref response);
                if (StampOf(evt) is long stamp)
                {
                    if (count == stamps.Length)
                    {
                        Array.Resize(ref stamps, stamps.Length * 2);
                    }
                    stamps[count++] = stamp;
                }
            }
            else
            {
                Skip(ref response, wireType);
            }
        }
        return created;
    }

    private static long? StampOf(ReadOnlySpan<byte> evt)
    {
        var kv = Field(evt, KeyValueField);
        var value = Field(kv, ValueField);
        return value.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(value) : null;
    }

    /// <summary>The bytes of the first length-delimited field numbered <paramref name="wanted"/>, or empty.</summary>
    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> message, int wanted)
    {
        while (!message.IsEmpty)
        {
            var (field, wireType) = ReadTag(ref message);
            if (field == wanted && wireType == 2)
            {
                return ReadLengthDelimited(ref message);
            }
            Skip(ref message, wireType);
        }
        return default;
    }

    private static (int Field, int WireType) ReadTag(ref ReadOnlySpan<byte> span)
    {
        ulong tag = ReadVarint(ref span);
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    private static ReadOnlySpan<byte> ReadLengthDelimited(scoped ref ReadOnlySpan<byte> span)
    {
        int length = checked((int)ReadVarint(ref span));
        var bytes = span[..length];
        span = span[length..];
        return bytes;
    }

    private static void Skip(ref ReadOnlySpan<byte> span, int wireType)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint(ref span);
                break;
            case 1:
                span = span[8..];
                break;
            case 2:
                ReadLengthDelimited(ref span);
                break;
            case 5:
                span = span[4..];
                break;
            default:
                throw new InvalidDataException($"unexpected wire type {wireType} in a watch response");
        }
    }

    private static ulong ReadVarint(ref ReadOnlySpan<byte> span)
    {
        ulong value = 0;
        for (int shift = 0, i = 0; ; shift += 7, i++)
        {
            if (i == span.Length || shift > 63)
            {
                throw new InvalidDataException("truncated varint in a watch response");
            }
            byte b = span[i];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                span = span[(i + 1)..];
                return value;
            }
        }
    }
}
