namespace Cairn.Server.Bootstrap;

/// <summary>The data dir or the configuration does not allow the member to start; the message names the problem.</summary>
public sealed class BootstrapException : Exception
{
    public BootstrapException(string message)
        : base(message)
    {
    }

    public BootstrapException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
