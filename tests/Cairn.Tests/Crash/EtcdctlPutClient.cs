using System.Text.Json;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Crash;

/// <summary>A put client that runs one etcdctl process per put: slow, but the real client.</summary>
public sealed class EtcdctlPutClient(Etcdctl etcdctl) : IPutClient
{
    public async Task<long?> PutAsync(string key, string value, CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await etcdctl.RunAsync(["put", key, value, "-w", "json", "--command-timeout=10s"], cancellationToken: cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        if (!result.Succeeded)
        {
            return null;
        }

        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("header").GetProperty("revision").GetInt64();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
