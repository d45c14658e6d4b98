namespace Cairn.Storage.Backend;

/// <summary>The backend holds something etcd's schema does not allow (a missing bucket, a malformed record); the message names file, bucket and key.</summary>
public sealed class BackendException(string message) : Exception(message)
{
    internal static BackendException MissingBucket(string file, ReadOnlySpan<byte> bucket) =>
        new($"backend {file}: bucket {System.Text.Encoding.UTF8.GetString(bucket)} does not exist");

    internal static BackendException Malformed(string file, ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> key, string problem) =>
        new($"backend {file}: bucket {System.Text.Encoding.UTF8.GetString(bucket)}, key {Convert.ToHexString(key)}: {problem}");
}
