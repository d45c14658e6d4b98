using System.Diagnostics.Metrics;

namespace Cairn.Server.Watch;

/// <summary>
/// What the hub has done since it started: events handed to watchers as they were applied and
/// by catch-up, watchers that fell behind, catch-up rounds and backend reads. Each is written by
/// one thread at a time (the hub's under its lock, the reads by the catch-up loop) and may be
/// read at any time. Published as the <c>Cairn.Watch</c> meter, which <c>dotnet-counters monitor
/// --counters Cairn.Watch</c> shows for a running member: the state of a hub under load is
/// otherwise invisible from outside.
/// </summary>
public sealed class WatchCounters : IDisposable
{
    private readonly Meter _meter = new("Cairn.Watch");
    private long _dispatchedEvents;
    private long _catchUpEvents;
    private long _fellBehind;
    private long _catchUpRounds;
    private long _backendReads;

    internal WatchCounters(Func<(int Synced, int Unsynced)> watchers)
    {
        _meter.CreateObservableCounter("dispatched-events", () => DispatchedEvents, description: "events queued for up-to-date watchers as they were applied");
        _meter.CreateObservableCounter("catch-up-events", () => CatchUpEvents, description: "events queued by catch-up for watchers behind");
        _meter.CreateObservableCounter("fell-behind", () => FellBehind, description: "times a watcher's events went to catch-up instead (its stream was full)");
        _meter.CreateObservableCounter("catch-up-rounds", () => CatchUpRounds);
        _meter.CreateObservableCounter("backend-reads", () => BackendReads, description: "catch-up reads of the backend");
        _meter.CreateObservableGauge("synced-watchers", () => watchers().Synced);
        _meter.CreateObservableGauge("unsynced-watchers", () => watchers().Unsynced);
    }

    public long DispatchedEvents => Volatile.Read(ref _dispatchedEvents);

    public long CatchUpEvents => Volatile.Read(ref _catchUpEvents);

    public long FellBehind => Volatile.Read(ref _fellBehind);

    public long CatchUpRounds => Volatile.Read(ref _catchUpRounds);

    public long BackendReads => Volatile.Read(ref _backendReads);

    internal void Dispatched(int events) => Volatile.Write(ref _dispatchedEvents, _dispatchedEvents + events);

    internal void CaughtUp(int events) => Volatile.Write(ref _catchUpEvents, _catchUpEvents + events);

    internal void WatcherFellBehind() => Volatile.Write(ref _fellBehind, _fellBehind + 1);

    internal void RoundPlanned() => Volatile.Write(ref _catchUpRounds, _catchUpRounds + 1);

    internal void BackendRead() => Volatile.Write(ref _backendReads, _backendReads + 1);

    public void Dispose() => _meter.Dispose();
}
