namespace Cairn.Server.Errors;

/// <summary>
/// Carries an <see cref="EtcdError"/> through layers that signal failure by throwing. The API
/// layer turns it into the gRPC status of the call; nothing else is lost on the way.
/// </summary>
public sealed class EtcdException : Exception
{
    public EtcdException(EtcdError error)
        : base(error.Message)
    {
        Error = error;
    }

    public EtcdError Error { get; }
}
