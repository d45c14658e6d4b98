using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>
/// One client's request, built once and re-sent with a different key each time: the key is a
/// buffer this client owns, wrapped without copying, and rewritten only after the previous call
/// has completed (either client serializes a request before its call starts), so a request costs
/// no allocation here beyond what the client underneath needs.
/// </summary>
internal abstract class KvRequestSender
{
    private readonly byte[] _key;

    protected KvRequestSender(KeySpace keys)
    {
        _key = new byte[keys.KeySize];
        Key = UnsafeByteOperations.UnsafeWrap(_key);
    }

    /// <summary>The request's key: its bytes change with each <see cref="SendAsync"/>.</summary>
    protected ByteString Key { get; }

    /// <summary>Completes when the answer has come and passed its check; throws otherwise.</summary>
    public ValueTask SendAsync(long keyNumber)
    {
        KeySpace.Write(keyNumber, _key);
        return SendCurrentAsync();
    }

    protected abstract ValueTask SendCurrentAsync();
}
