namespace Cairn.Server.Grpc;

/// <summary>How many messages each side of a call sends.</summary>
public enum GrpcMethodType
{
    Unary,
    ServerStreaming,
    ClientStreaming,
    DuplexStreaming,
}
