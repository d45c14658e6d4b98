using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// The scenario step <c>fill KEY SIZE</c>: puts SIZE-byte values to KEY until a put is refused, and gives that put's
/// transcript only. How many puts it took differs between etcd and cairn (and from run to run of etcd, whose quota
/// reads the size its last batch commit left), so the count goes to the test's output and the revisions and raft
/// indexes after it are compared relative to where it ended (<see cref="FillMarks"/>).
/// </summary>
public static class QuotaFill
{
    /// <summary>In a later command: the revision the fill ended at (e.g. to compact everything it wrote).</summary>
    public const string RevisionPlaceholder = "{fill-rev}";

    /// <summary>A quota this far away is not what the scenario means to fill.</summary>
    private const int MaxPuts = 500;

    public static async Task<(List<string> Transcript, FillMarks Marks)> RunAsync(TestMember member, string key, int size, ITestOutputHelper output)
    {
        var (revisionBefore, indexBefore) = await FillMarks.PositionAsync(member);
        var value = new string('f', size);
        for (var puts = 0; puts < MaxPuts; puts++)
        {
            var put = await member.Etcdctl.RunAsync("put", key, value);
            if (put.Succeeded)
            {
                continue;
            }

            var (revisionAfter, indexAfter) = await FillMarks.PositionAsync(member);
            output.WriteLine($"fill: {puts} puts of {size} bytes to '{key}' acknowledged, then one refused; revision {revisionBefore} -> {revisionAfter}, raft index {indexBefore} -> {indexAfter}");
            return (Transcript.Of(put), new FillMarks(revisionBefore, revisionAfter, indexBefore, indexAfter));
        }

        throw new InvalidOperationException($"fill: {MaxPuts} puts of {size} bytes to '{key}' were all acknowledged; is the quota set (server: --quota-backend-bytes)?");
    }
}
