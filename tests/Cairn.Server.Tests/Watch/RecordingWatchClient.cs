using Cairn.Protocol.Etcdserverpb;

namespace Cairn.Server.Tests.Watch;

/// <summary>Reads a stream continuously and files the responses by watch ID.</summary>
internal sealed class RecordingWatchClient
{
    private readonly object _gate = new();
    private readonly Dictionary<long, List<WatchResponse>> _byWatcher = [];
    private readonly Dictionary<long, WatchResponse> _created = [];
    private readonly Task _reading;
    private long _progressRevision = -1;

    public RecordingWatchClient(TestWatchClient client)
    {
        Client = client;
        _reading = Task.Run(ReadAsync);
    }

    public TestWatchClient Client { get; }

    public WatchResponse? Created(long id)
    {
        lock (_gate)
        {
            return _created.GetValueOrDefault(id);
        }
    }

    public List<WatchResponse> Responses(long id)
    {
        lock (_gate)
        {
            return [.. _byWatcher.GetValueOrDefault(id) ?? []];
        }
    }

    /// <summary>Asks for progress and waits for the answer at or after <paramref name="revision"/>: every watcher of the stream is then up to it.</summary>
    public async Task WaitForProgressAsync(long revision)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        Client.RequestProgress();
        while (Volatile.Read(ref _progressRevision) < revision)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no progress response at {revision} (last {Volatile.Read(ref _progressRevision)})");
            Assert.False(_reading.IsFaulted, _reading.Exception?.ToString());
            await Task.Delay(5);
        }
    }

    private async Task ReadAsync()
    {
        await foreach (var response in Client.Responses.ReadAllAsync())
        {
            lock (_gate)
            {
                if (response.WatchId == -1 && !response.Created)
                {
                    Assert.True(response.Header.Revision >= _progressRevision, "progress went back");
                    _progressRevision = response.Header.Revision;
                    continue;
                }
                if (response.Created)
                {
                    Assert.True(_created.TryAdd(response.WatchId, response), $"watcher {response.WatchId} created twice: {response}");
                    continue;
                }
                Assert.True(_created.ContainsKey(response.WatchId), $"response before the watcher's creation: {response}");
                if (!_byWatcher.TryGetValue(response.WatchId, out var list))
                {
                    _byWatcher[response.WatchId] = list = [];
                }
                Assert.True(list.Count == 0 || !list[^1].Canceled, $"response after watcher {response.WatchId} was canceled: {response}");
                list.Add(response);
            }
        }
    }
}
