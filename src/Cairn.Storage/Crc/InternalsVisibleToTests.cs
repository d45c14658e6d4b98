using System.Runtime.CompilerServices;

// The CRC, WAL and snap tests check internals (the software CRC path, frame encoding, the
// decoder's torn-write rule) that are not part of the public API.
[assembly: InternalsVisibleTo("Cairn.Storage.Tests")]
