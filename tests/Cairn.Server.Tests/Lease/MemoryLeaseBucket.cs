using Cairn.Server.Lease;
using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Server.Tests.Lease;

/// <summary>The lease bucket in a dictionary, kept across lessors to simulate a restart.</summary>
internal sealed class MemoryLeaseBucket : ILeaseBucket
{
    public Dictionary<long, LeaseRecord> Records { get; } = new();

    public IReadOnlyList<LeaseRecord> ReadAll() => [.. Records.Values.OrderBy(r => r.ID).Select(r => r.Clone())];

    public void Put(LeaseRecord lease) => Records[lease.ID] = lease.Clone();

    public void Delete(long id) => Records.Remove(id);
}
