using System.Runtime.CompilerServices;

// The index internals (KeyIndex, KeyIndexTree, TreeIndex) are tested and measured directly.
[assembly: InternalsVisibleTo("Cairn.Server.Tests")]
[assembly: InternalsVisibleTo("Cairn.Bench")]
