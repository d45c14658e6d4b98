namespace Cairn.Server.Grpc;

/// <summary>
/// A call's token joined with one a caller passes to a single read or write; links (and
/// allocates) only when the second token can actually fire.
/// </summary>
internal readonly struct CombinedToken : IDisposable
{
    private readonly CancellationTokenSource? _linked;

    private CombinedToken(CancellationToken token, CancellationTokenSource? linked)
    {
        Token = token;
        _linked = linked;
    }

    public CancellationToken Token { get; }

    public static CombinedToken Create(CancellationToken call, CancellationToken extra)
    {
        if (!extra.CanBeCanceled || extra == call)
        {
            return new CombinedToken(call, null);
        }
        if (!call.CanBeCanceled)
        {
            return new CombinedToken(extra, null);
        }
        var linked = CancellationTokenSource.CreateLinkedTokenSource(call, extra);
        return new CombinedToken(linked.Token, linked);
    }

    public void Dispose() => _linked?.Dispose();
}
