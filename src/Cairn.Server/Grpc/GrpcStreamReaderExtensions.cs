using System.Runtime.CompilerServices;

namespace Cairn.Server.Grpc;

public static class GrpcStreamReaderExtensions
{
    /// <summary>Reads every remaining message, for <c>await foreach</c>.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(
        this IGrpcStreamReader<T> reader,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }
}
