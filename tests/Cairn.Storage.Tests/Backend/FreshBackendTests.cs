using Cairn.Storage.Backend;
using Cairn.Storage.Tests.Bolt;

namespace Cairn.Storage.Tests.Backend;

/// <summary>Base of test classes that each test gets a new backend (etcd's options, no fsync) in a temporary directory.</summary>
public abstract class FreshBackendTests : IDisposable
{
    protected FreshBackendTests()
    {
        Backend = OpenBackend("db");
    }

    protected TempDirectory Dir { get; } = new();

    protected EtcdBackend Backend { get; }

    /// <summary>Opens (creating) another backend file in the test's directory.</summary>
    protected EtcdBackend OpenBackend(string file) => EtcdBackend.Open(Dir.File(file), EtcdBackend.EtcdBoltOptions with { NoSync = true });

    public void Dispose()
    {
        Backend.Dispose();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
