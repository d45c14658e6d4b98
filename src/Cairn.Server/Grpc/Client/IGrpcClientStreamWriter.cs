namespace Cairn.Server.Grpc.Client;

/// <summary>The request stream of a client-streaming or duplex call.</summary>
public interface IGrpcClientStreamWriter<in T> : IGrpcStreamWriter<T>
{
    /// <summary>Ends the request stream (END_STREAM); the server sees the end of its requests.</summary>
    Task CompleteAsync();
}
