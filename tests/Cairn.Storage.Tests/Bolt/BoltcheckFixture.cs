namespace Cairn.Storage.Tests.Bolt;

/// <summary>The Go boltcheck program (Debian's go.etcd.io/bbolt), built once per test class.</summary>
public sealed class BoltcheckFixture : IAsyncLifetime
{
    private GoProgram? _program;

    public GoProgram Program => _program ?? throw new InvalidOperationException("not built");

    public async Task InitializeAsync() => _program = await GoProgram.BuildAsync("boltcheck");

    public Task DisposeAsync()
    {
        _program?.Dispose();
        return Task.CompletedTask;
    }
}
