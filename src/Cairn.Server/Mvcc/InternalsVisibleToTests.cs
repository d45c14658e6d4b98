using System.Runtime.CompilerServices;

// The index internals (KeyIndex, KeyIndexTree, TreeIndex) are tested directly.
[assembly: InternalsVisibleTo("Cairn.Server.Tests")]
