using Cairn.Storage.Wal;
using Xunit.Abstractions;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// Cross-checks with etcd's own Go WAL (Debian's sources, built by <see cref="GoWalCheck"/>): for
/// the same calls both write the same files byte for byte, and etcd reads back what Cairn wrote.
/// </summary>
[Collection(GoWalCheckCollection.Name)]
public sealed class WalMatchesEtcdGoWalTests(GoWalCheck go, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 40, 64 * 1000 * 1000)]
    [InlineData(2, 300, 16 * 1024)]
    [InlineData(3, 200, 5000)]
    public async Task Same_calls_write_the_same_segment_files_as_etcd(int seed, int batches, long segmentBytes)
    {
        output.WriteLine($"seed {seed}, {batches} batches, segments of {segmentBytes} bytes");
        var script = WalScript.Random(seed, batches);
        using var dir = new TempDirectory();
        string specPath = dir.Combine("spec.json");
        await File.WriteAllTextAsync(specPath, script.ToJson());

        await go.RunAsync("write", dir.Combine("etcd"), segmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), specPath);
        using (var wal = WriteAheadLog.Create(dir.Combine("cairn"), script.Metadata, new WalOptions { SegmentSizeBytes = segmentBytes }))
        {
            script.ApplyTo(wal);
        }

        var etcdFiles = Directory.GetFiles(dir.Combine("etcd")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        var cairnFiles = Directory.GetFiles(dir.Combine("cairn")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(etcdFiles, cairnFiles);
        if (segmentBytes < 1_000_000)
        {
            Assert.True(etcdFiles.Count > 2, $"expected several segments, got {etcdFiles.Count}");
        }
        foreach (string name in etcdFiles)
        {
            byte[] expected = await File.ReadAllBytesAsync(dir.Combine("etcd", name));
            byte[] actual = await File.ReadAllBytesAsync(dir.Combine("cairn", name));
            Assert.True(expected.Length == actual.Length, $"{name}: etcd wrote {expected.Length} bytes, cairn {actual.Length}");
            int diff = expected.AsSpan().CommonPrefixLength(actual);
            Assert.True(diff == expected.Length, $"{name}: first difference at offset {diff}");
        }
    }
}
