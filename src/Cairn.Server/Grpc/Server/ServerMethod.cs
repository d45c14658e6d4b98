namespace Cairn.Server.Grpc.Server;

/// <summary>A registered method: its descriptor, its statistics and how to run a call of it.</summary>
public abstract class ServerMethod
{
    private protected ServerMethod(GrpcMethod method)
    {
        Method = method;
    }

    public GrpcMethod Method { get; }

    public GrpcMethodStatistics Statistics { get; } = new();

    /// <summary>Reads the request(s), runs the handler and writes the response message(s); not the status.</summary>
    internal abstract Task RunAsync(GrpcCallContext context);
}
