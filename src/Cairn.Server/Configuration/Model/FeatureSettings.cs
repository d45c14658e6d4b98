namespace Cairn.Server.Configuration.Model;

/// <summary>--metrics.</summary>
public enum MetricsDetail
{
    Basic,
    Extensive,
}

/// <summary>Optional features and experimental switches.</summary>
/// <param name="EnableV2">--enable-v2.</param>
/// <param name="EnablePprof">--enable-pprof.</param>
/// <param name="EnableGrpcGateway">--enable-grpc-gateway.</param>
/// <param name="Metrics">--metrics.</param>
/// <param name="V2V3Prefix">--experimental-enable-v2v3 (empty: off).</param>
/// <param name="InitialCorruptCheck">--experimental-initial-corrupt-check.</param>
/// <param name="CorruptCheckTime">--experimental-corrupt-check-time (zero: off).</param>
/// <param name="LeaseCheckpoint">--experimental-enable-lease-checkpoint.</param>
/// <param name="LeaseCheckpointPersist">--experimental-enable-lease-checkpoint-persist.</param>
/// <param name="WatchProgressNotifyInterval">--experimental-watch-progress-notify-interval as given (zero: etcd's default).</param>
public sealed record FeatureSettings(
    bool EnableV2,
    bool EnablePprof,
    bool EnableGrpcGateway,
    MetricsDetail Metrics,
    string V2V3Prefix,
    bool InitialCorruptCheck,
    TimeSpan CorruptCheckTime,
    bool LeaseCheckpoint,
    bool LeaseCheckpointPersist,
    TimeSpan WatchProgressNotifyInterval)
{
    public TimeSpan EffectiveWatchProgressNotifyInterval =>
        WatchProgressNotifyInterval > TimeSpan.Zero ? WatchProgressNotifyInterval : EtcdDefaults.WatchProgressNotifyInterval;
}
