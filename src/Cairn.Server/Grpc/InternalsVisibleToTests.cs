using System.Runtime.CompilerServices;

// The wire layer's parsers (frames, HPACK, timeouts) are internal; their tests sit next door.
[assembly: InternalsVisibleTo("Cairn.Server.Tests")]
