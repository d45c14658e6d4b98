using Cairn.Server.Lease;

namespace Cairn.Server.Tests.Lease;

/// <summary>A lessor on a manual clock and an in-memory bucket; <see cref="Reopen"/> simulates a restart.</summary>
internal sealed class LessorFixture
{
    public LessorFixture(LessorOptions? options = null)
    {
        Options = (options ?? new LessorOptions { MinTtl = 2 }) with { Time = Clock };
        Lessor = new Lessor(Bucket, Options);
    }

    public ManualClock Clock { get; } = new();

    public MemoryLeaseBucket Bucket { get; } = new();

    public LessorOptions Options { get; }

    public Lessor Lessor { get; private set; }

    /// <summary>A new lessor on the same bucket, as after a restart (nothing of the old one's memory).</summary>
    public Lessor Reopen()
    {
        Lessor.Stop();
        Lessor = new Lessor(Bucket, Options);
        return Lessor;
    }

    public void Advance(double seconds) => Clock.Advance(TimeSpan.FromSeconds(seconds));

    public long Remaining(long id) => Lessor.TimeToLive(id, withKeys: false)!.RemainingSeconds;

    public static byte[] K(string key) => System.Text.Encoding.UTF8.GetBytes(key);
}
