using System.Buffers.Binary;

namespace Cairn.Bench.Http2;

/// <summary>The numbers of HTTP/2 (RFC 9113) that the hand-framed benchmark clients use.</summary>
internal static class Http2Frame
{
    public const int HeaderLength = 9;

    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8;

    public const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8;

    public const ushort EnablePushSetting = 0x2, MaxConcurrentStreamsSetting = 0x3, InitialWindowSizeSetting = 0x4, MaxFrameSizeSetting = 0x5;

    /// <summary>Every window and the largest frame payload before SETTINGS say otherwise.</summary>
    public const int DefaultWindow = 65535, DefaultMaxFrameSize = 16384;

    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static void WriteHeader(Span<byte> destination, int length, byte type, byte flags, int streamId)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = type;
        destination[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)streamId);
    }

    /// <summary>The name RFC 9113 gives an error code (RST_STREAM, GOAWAY), or its number.</summary>
    public static string ErrorName(uint code) => code switch
    {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0xb => "ENHANCE_YOUR_CALM",
        _ => $"error 0x{code:x}",
    };
}
