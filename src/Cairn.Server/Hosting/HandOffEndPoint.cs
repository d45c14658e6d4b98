using System.Net;

namespace Cairn.Server.Hosting;

/// <summary>
/// The address of the HTTP/1.1-only endpoint that public connections are handed to. It exists
/// only so Kestrel builds that endpoint's connection pipeline; nothing ever connects to it.
/// </summary>
internal sealed class HandOffEndPoint : EndPoint
{
    public override string ToString() => "http1-handoff";
}
