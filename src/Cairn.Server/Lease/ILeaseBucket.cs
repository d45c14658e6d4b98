using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Server.Lease;

/// <summary>
/// Where the lessor keeps its leases: etcd's <c>lease</c> bucket (ID → leasepb.Lease). Writes
/// happen on the applying thread, inside the backend scope of the entry being applied, so a
/// lease and the keys its revoke deletes are committed together.
/// </summary>
public interface ILeaseBucket
{
    IReadOnlyList<LeaseRecord> ReadAll();

    void Put(LeaseRecord lease);

    void Delete(long id);
}
