namespace Cairn.Raft;

/// <summary>
/// SplitMix64: a small, fully specified generator, so that a seed gives the same election timeouts
/// on every runtime and platform (simulations and golden transcripts depend on it).
/// </summary>
internal sealed class ElectionRandom
{
    private ulong _state;

    public ElectionRandom(ulong seed, ulong id)
    {
        // Members sharing a seed must still draw independent streams: mix the id in thoroughly.
        _state = Mix(seed ^ Mix(id + 0x9E3779B97F4A7C15UL));
    }

    /// <summary>A value in [0, n).</summary>
    public int Next(int n)
    {
        _state += 0x9E3779B97F4A7C15UL;
        return (int)(Mix(_state) % (ulong)n);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
