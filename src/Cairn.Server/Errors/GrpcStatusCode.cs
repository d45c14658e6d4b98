namespace Cairn.Server.Errors;

/// <summary>
/// gRPC status codes (google.rpc.Code), with their wire numbers. Defined here because the
/// Grpc.Core packages cannot be restored in this build; the gRPC layer writes the number as the
/// <c>grpc-status</c> trailer.
/// </summary>
public enum GrpcStatusCode
{
    OK = 0,
    Canceled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}
