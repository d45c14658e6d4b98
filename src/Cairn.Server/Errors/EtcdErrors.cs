using Cairn.Server.Grpc;

namespace Cairn.Server.Errors;

/// <summary>
/// etcd 3.4's error catalogue, in one place: every error a KV, lease, cluster, maintenance or
/// auth call can end with, with the gRPC code and text a client of etcd sees. The source is
/// etcd's <c>etcdserver/api/v3rpc/rpctypes/error.go</c> (texts and codes) and the mapping in
/// <c>v3rpc/util.go</c> (<c>togRPCError</c>) from the server's internal errors
/// (<c>etcdserver/errors.go</c>, <c>mvcc</c>, <c>lease</c>, <c>auth</c>, <c>membership</c>).
/// Cairn's layers raise these entries directly instead of keeping a second set of internal
/// errors to translate.
/// </summary>
public static class EtcdErrors
{
    // Request checks (v3rpc/key.go) and the applier's KV errors.
    public static readonly EtcdError EmptyKey = new(GrpcStatusCode.InvalidArgument, "etcdserver: key is not provided");
    public static readonly EtcdError KeyNotFound = new(GrpcStatusCode.InvalidArgument, "etcdserver: key not found");
    public static readonly EtcdError ValueProvided = new(GrpcStatusCode.InvalidArgument, "etcdserver: value is provided");
    public static readonly EtcdError LeaseProvided = new(GrpcStatusCode.InvalidArgument, "etcdserver: lease is provided");
    public static readonly EtcdError TooManyOps = new(GrpcStatusCode.InvalidArgument, "etcdserver: too many operations in txn request");
    public static readonly EtcdError DuplicateKey = new(GrpcStatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request");
    public static readonly EtcdError RequestTooLarge = new(GrpcStatusCode.InvalidArgument, "etcdserver: request is too large");

    // MVCC (mvcc.ErrCompacted, mvcc.ErrFutureRev) and the backend quota.
    public static readonly EtcdError Compacted = new(GrpcStatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted");
    public static readonly EtcdError FutureRevision = new(GrpcStatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision");
    public static readonly EtcdError NoSpace = new(GrpcStatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded");

    // Leases.
    public static readonly EtcdError LeaseNotFound = new(GrpcStatusCode.NotFound, "etcdserver: requested lease not found");
    public static readonly EtcdError LeaseExists = new(GrpcStatusCode.FailedPrecondition, "etcdserver: lease already exists");
    public static readonly EtcdError LeaseTtlTooLarge = new(GrpcStatusCode.OutOfRange, "etcdserver: too large lease TTL");

    public static readonly EtcdError WatchCanceled = new(GrpcStatusCode.Cancelled, "etcdserver: watch canceled");

    // Membership.
    public static readonly EtcdError MemberExists = new(GrpcStatusCode.FailedPrecondition, "etcdserver: member ID already exist");
    public static readonly EtcdError PeerUrlExists = new(GrpcStatusCode.FailedPrecondition, "etcdserver: Peer URLs already exists");
    public static readonly EtcdError MemberBadUrls = new(GrpcStatusCode.InvalidArgument, "etcdserver: given member URLs are invalid");
    public static readonly EtcdError MemberNotFound = new(GrpcStatusCode.NotFound, "etcdserver: member not found");
    public static readonly EtcdError MemberNotLearner = new(GrpcStatusCode.FailedPrecondition, "etcdserver: can only promote a learner member");
    public static readonly EtcdError LearnerNotReady = new(GrpcStatusCode.FailedPrecondition, "etcdserver: can only promote a learner member which is in sync with leader");
    public static readonly EtcdError TooManyLearners = new(GrpcStatusCode.FailedPrecondition, "etcdserver: too many learner members in cluster");

    // etcd maps these two to its client-side error values, which carry no gRPC status, so gRPC
    // sends them as Unknown (not the FailedPrecondition / ResourceExhausted rpctypes declares).
    public static readonly EtcdError MemberNotEnoughStarted = new(GrpcStatusCode.Unknown, "etcdserver: re-configuration failed due to not enough started members");
    public static readonly EtcdError TooManyRequests = new(GrpcStatusCode.Unknown, "etcdserver: too many requests");

    // Auth.
    public static readonly EtcdError RootUserNotExist = new(GrpcStatusCode.FailedPrecondition, "etcdserver: root user does not exist");
    public static readonly EtcdError RootRoleNotExist = new(GrpcStatusCode.FailedPrecondition, "etcdserver: root user does not have root role");
    public static readonly EtcdError UserAlreadyExist = new(GrpcStatusCode.FailedPrecondition, "etcdserver: user name already exists");
    public static readonly EtcdError UserEmpty = new(GrpcStatusCode.InvalidArgument, "etcdserver: user name is empty");
    public static readonly EtcdError UserNotFound = new(GrpcStatusCode.FailedPrecondition, "etcdserver: user name not found");
    public static readonly EtcdError RoleAlreadyExist = new(GrpcStatusCode.FailedPrecondition, "etcdserver: role name already exists");
    public static readonly EtcdError RoleNotFound = new(GrpcStatusCode.FailedPrecondition, "etcdserver: role name not found");
    public static readonly EtcdError RoleEmpty = new(GrpcStatusCode.InvalidArgument, "etcdserver: role name is empty");
    public static readonly EtcdError AuthFailed = new(GrpcStatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password");
    public static readonly EtcdError PermissionDenied = new(GrpcStatusCode.PermissionDenied, "etcdserver: permission denied");
    public static readonly EtcdError RoleNotGranted = new(GrpcStatusCode.FailedPrecondition, "etcdserver: role is not granted to the user");
    public static readonly EtcdError PermissionNotGranted = new(GrpcStatusCode.FailedPrecondition, "etcdserver: permission is not granted to the role");
    public static readonly EtcdError AuthNotEnabled = new(GrpcStatusCode.FailedPrecondition, "etcdserver: authentication is not enabled");
    public static readonly EtcdError InvalidAuthToken = new(GrpcStatusCode.Unauthenticated, "etcdserver: invalid auth token");
    public static readonly EtcdError InvalidAuthMgmt = new(GrpcStatusCode.InvalidArgument, "etcdserver: invalid auth management");
    public static readonly EtcdError AuthOldRevision = new(GrpcStatusCode.InvalidArgument, "etcdserver: revision of auth store is old");

    // Server state.
    public static readonly EtcdError NoLeader = new(GrpcStatusCode.Unavailable, "etcdserver: no leader");
    public static readonly EtcdError NotLeader = new(GrpcStatusCode.FailedPrecondition, "etcdserver: not leader");
    public static readonly EtcdError LeaderChanged = new(GrpcStatusCode.Unavailable, "etcdserver: leader changed");
    public static readonly EtcdError NotCapable = new(GrpcStatusCode.Unavailable, "etcdserver: not capable");
    public static readonly EtcdError Stopped = new(GrpcStatusCode.Unavailable, "etcdserver: server stopped");
    public static readonly EtcdError Timeout = new(GrpcStatusCode.Unavailable, "etcdserver: request timed out");
    public static readonly EtcdError TimeoutDueToLeaderFail = new(GrpcStatusCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure");
    public static readonly EtcdError TimeoutDueToConnectionLost = new(GrpcStatusCode.Unavailable, "etcdserver: request timed out, possibly due to connection lost");
    public static readonly EtcdError TimeoutWaitAppliedIndex = new(GrpcStatusCode.Unavailable, "etcdserver: request timed out, waiting for the applied index took too long");
    public static readonly EtcdError Unhealthy = new(GrpcStatusCode.Unavailable, "etcdserver: unhealthy cluster");
    public static readonly EtcdError Corrupt = new(GrpcStatusCode.DataLoss, "etcdserver: corrupt cluster");
    public static readonly EtcdError NotSupportedForLearner = new(GrpcStatusCode.Unavailable, "etcdserver: rpc not supported for learner");
    public static readonly EtcdError BadLeaderTransferee = new(GrpcStatusCode.FailedPrecondition, "etcdserver: bad leader transferee");

    // Server errors etcd has no gRPC mapping for: they reach the client as Unknown with this text.
    public static readonly EtcdError UnknownMethod = new(GrpcStatusCode.Unknown, "etcdserver: unknown method");
    public static readonly EtcdError RequestCanceled = new(GrpcStatusCode.Unknown, "etcdserver: request cancelled");
    public static readonly EtcdError TimeoutLeaderTransfer = new(GrpcStatusCode.Unknown, "etcdserver: request timed out, leader transfer took too long");

    /// <summary>Every named entry, for lookups by text and for tests.</summary>
    public static IReadOnlyList<EtcdError> All { get; } =
    [
        EmptyKey, KeyNotFound, ValueProvided, LeaseProvided, TooManyOps, DuplicateKey, RequestTooLarge,
        Compacted, FutureRevision, NoSpace,
        LeaseNotFound, LeaseExists, LeaseTtlTooLarge, WatchCanceled,
        MemberExists, PeerUrlExists, MemberBadUrls, MemberNotFound, MemberNotLearner, LearnerNotReady,
        TooManyLearners, MemberNotEnoughStarted, TooManyRequests,
        RootUserNotExist, RootRoleNotExist, UserAlreadyExist, UserEmpty, UserNotFound, RoleAlreadyExist,
        RoleNotFound, RoleEmpty, AuthFailed, PermissionDenied, RoleNotGranted, PermissionNotGranted,
        AuthNotEnabled, InvalidAuthToken, InvalidAuthMgmt, AuthOldRevision,
        NoLeader, NotLeader, LeaderChanged, NotCapable, Stopped, Timeout, TimeoutDueToLeaderFail,
        TimeoutDueToConnectionLost, TimeoutWaitAppliedIndex, Unhealthy, Corrupt, NotSupportedForLearner,
        BadLeaderTransferee,
        UnknownMethod, RequestCanceled, TimeoutLeaderTransfer,
    ];

    private static readonly Dictionary<string, EtcdError> ByMessage =
        All.ToDictionary(e => e.Message, StringComparer.Ordinal);

    /// <summary>
    /// The named error with this text, as clientv3 does with <c>rpctypes.Error</c> when it turns
    /// a status received from a server back into a typed error.
    /// </summary>
    public static EtcdError? FindByMessage(string message) =>
        ByMessage.GetValueOrDefault(message);

    /// <summary>
    /// The error a client sees for an exception raised while serving its call: the carried entry
    /// for <see cref="EtcdException"/>, <see cref="RequestCanceled"/> for a cancelled request, and
    /// otherwise Unknown with the exception's message (what etcd's <c>togRPCError</c> does with an
    /// error it has no mapping for).
    /// </summary>
    public static EtcdError FromException(Exception exception) => exception switch
    {
        EtcdException e => e.Error,
        OperationCanceledException => RequestCanceled,
        _ => EtcdError.Unknown(exception.Message),
    };
}
