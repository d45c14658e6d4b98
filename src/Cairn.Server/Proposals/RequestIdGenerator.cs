namespace Cairn.Server.Proposals;

/// <summary>
/// Unique IDs for proposals, laid out as etcd's idutil.Generator lays them out: the member ID's low
/// 16 bits, then 40 bits of the start time in milliseconds and an 8-bit counter that carries into
/// them. Unique across members and across restarts (the clock moves on), cheap (one atomic add).
/// </summary>
public sealed class RequestIdGenerator
{
    private const int TimestampBits = 40;
    private const int CounterBits = 8;
    private const int SuffixBits = TimestampBits + CounterBits;

    private readonly ulong _prefix;
    private long _suffix;

    public RequestIdGenerator(ulong memberId, DateTimeOffset now)
    {
        _prefix = (memberId & 0xFFFF) << SuffixBits;
        ulong millis = (ulong)now.ToUnixTimeMilliseconds();
        _suffix = (long)(LowBits(millis, TimestampBits) << CounterBits);
    }

    public ulong Next()
    {
        ulong suffix = (ulong)Interlocked.Increment(ref _suffix);
        return _prefix | LowBits(suffix, SuffixBits);
    }

    private static ulong LowBits(ulong value, int bits) => value & ((1UL << bits) - 1);
}
