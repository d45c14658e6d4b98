namespace Cairn.Tests.Crash;

/// <summary>One client of the crash writer: puts a key and returns the revision the server acknowledged it at.</summary>
public interface IPutClient : IAsyncDisposable
{
    /// <summary>The acknowledged revision, or null when the put failed or its outcome is unknown.</summary>
    Task<long?> PutAsync(string key, string value, CancellationToken cancellationToken);
}
