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
        _state = seed ^ (id * 0x9E3779B97F4A7C15UL);
    }

    /// <summary>A value in [0, n).</summary>
    public int Next(int n)
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z % (ulong)n);
    }
}
