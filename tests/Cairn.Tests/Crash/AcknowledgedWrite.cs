namespace Cairn.Tests.Crash;

/// <summary>A put the server answered with success: from then on the key must hold this value at this revision.</summary>
public sealed record AcknowledgedWrite(string Key, string Value, long Revision);
