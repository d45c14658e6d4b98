using System.Collections.Concurrent;
using Cairn.Server.Grpc;

namespace Cairn.Bench.Kv;

/// <summary>Failed requests counted by their status and text, as a client would see them.</summary>
internal sealed class ErrorTally
{
    private readonly ConcurrentDictionary<string, long> _byText = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Record(Exception e)
    {
        var text = e is GrpcException grpc ? $"{grpc.Code}: {grpc.Detail}" : $"{e.GetType().Name}: {e.Message}";
        _byText.AddOrUpdate(text, 1, static (_, n) => n + 1);
        Interlocked.Increment(ref _total);
    }

    /// <summary>The distinct texts, most frequent first.</summary>
    public IReadOnlyList<(string Text, long Count)> ByText() =>
        _byText.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToList();
}
