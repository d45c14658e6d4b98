using Cairn.Server.Errors;

namespace Cairn.Server.Concurrency;

/// <summary>
/// The errors of etcd's Lock and Election services that are not the server's own. etcd serves
/// those services with clientv3's concurrency recipes over a loopback client, so every error they
/// return reaches the caller as a plain Go error: gRPC status Unknown with the error's text, the
/// server's own errors included (see <see cref="AsServiceError"/>).
/// </summary>
public static class ConcurrencyErrors
{
    /// <summary>etcd's <c>concurrency.ErrElectionNotLeader</c>.</summary>
    public static readonly EtcdError ElectionNotLeader = EtcdError.Unknown("election: not leader");

    /// <summary>etcd's <c>concurrency.ErrElectionNoLeader</c>.</summary>
    public static readonly EtcdError ElectionNoLeader = EtcdError.Unknown("election: no leader");

    /// <summary>etcd's <c>v3election.ErrMissingLeaderKey</c>: Proclaim or Resign without a leader key.</summary>
    public static readonly EtcdError MissingLeaderKey = EtcdError.Unknown("\"leader\" field must be provided");

    /// <summary>
    /// etcd 3.5's <c>concurrency.ErrSessionExpired</c>: the waiter's own lock key went away (its
    /// lease expired or was revoked) before it got the lock. etcd 3.4 goes on waiting and then
    /// reports the lock as acquired with its key gone.
    /// </summary>
    public static readonly EtcdError MutexSessionExpired = EtcdError.Unknown("mutex: session is expired");

    /// <summary>clientv3's waitDelete when its watch ends without the deletion (the watch stream went away).</summary>
    public static readonly EtcdError LostWatcher = EtcdError.Unknown("lost watcher waiting for delete");

    /// <summary>
    /// What a caller of etcd's Lock or Election service receives for an error met inside it: the
    /// same text with status Unknown (clientv3 turns the server's status into an error value that
    /// carries no gRPC status, which the gRPC server then sends as Unknown).
    /// </summary>
    public static EtcdError AsServiceError(EtcdError error) =>
        error.Code == Grpc.GrpcStatusCode.Unknown ? error : EtcdError.Unknown(error.Message);
}
