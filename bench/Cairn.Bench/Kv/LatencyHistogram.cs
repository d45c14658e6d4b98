namespace Cairn.Bench.Kv;

/// <summary>
/// Latencies in nanoseconds, counted in HDR-style log-linear buckets: each power of two is split
/// into 128 equal sub-buckets, so a percentile is off by less than 1% whatever the run's length,
/// and recording is an array increment (no allocation, no lock: one histogram per client, merged
/// at the end).
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;

    // Values below 2^SubBucketBits ns are counted exactly; above, 128 buckets per power of two up
    // to 2^63 ns.
    private readonly long[] _counts = new long[(64 - SubBucketBits + 1) * SubBuckets];

    public long Count { get; private set; }

    public long MinNanos { get; private set; } = long.MaxValue;

    public long MaxNanos { get; private set; }

    public double SumNanos { get; private set; }

    public void Record(long nanos)
    {
        if (nanos < 0)
        {
            nanos = 0;
        }
        _counts[IndexOf(nanos)]++;
        Count++;
        SumNanos += nanos;
        if (nanos < MinNanos)
        {
            MinNanos = nanos;
        }
        if (nanos > MaxNanos)
        {
            MaxNanos = nanos;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
        SumNanos += other.SumNanos;
        MinNanos = Math.Min(MinNanos, other.MinNanos);
        MaxNanos = Math.Max(MaxNanos, other.MaxNanos);
    }

    public double MeanNanos => Count == 0 ? double.NaN : SumNanos / Count;

    /// <summary>
    /// The smallest recorded value at or above which lie no more than (1-q) of the samples,
    /// reported as the middle of its bucket (the exact max for q = 1).
    /// </summary>
    public double PercentileNanos(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var (low, width) = BucketOf(i);
                var middle = low + ((width - 1) / 2.0);
                return Math.Clamp(middle, MinNanos, MaxNanos);
            }
        }
        return MaxNanos;
    }

    internal static int IndexOf(long nanos)
    {
        if (nanos < SubBuckets)
        {
            return (int)nanos;
        }
        var highBit = 63 - (int)long.LeadingZeroCount(nanos);
        var shift = highBit - SubBucketBits;
        var subBucket = (int)(nanos >> shift) - SubBuckets;
        return ((shift + 1) * SubBuckets) + subBucket;
    }

    internal static (long Low, long Width) BucketOf(int index)
    {
        if (index < SubBuckets)
        {
            return (index, 1);
        }
        var shift = (index / SubBuckets) - 1;
        var subBucket = index % SubBuckets;
        return ((long)(SubBuckets + subBucket) << shift, 1L << shift);
    }
}
