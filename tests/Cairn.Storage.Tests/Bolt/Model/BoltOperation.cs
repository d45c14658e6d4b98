using Cairn.Storage.Bolt;

namespace Cairn.Storage.Tests.Bolt.Model;

public enum BoltOperationKind
{
    Put,
    Delete,
    CreateBucket,
    DeleteBucket,
    SetSequence,
}

/// <summary>One change, applied the same way to the model, to a Cairn transaction, or written as a boltcheck script line.</summary>
public sealed record BoltOperation(BoltOperationKind Kind, IReadOnlyList<byte[]> Path, byte[] Key, byte[] Value, ulong Sequence)
{
    public void ApplyTo(ModelBucket root)
    {
        var b = root.At(Path);
        switch (Kind)
        {
            case BoltOperationKind.Put:
                b.Values[Key] = Value;
                break;
            case BoltOperationKind.Delete:
                b.Values.Remove(Key);
                break;
            case BoltOperationKind.CreateBucket:
                b.Buckets[Key] = new ModelBucket();
                break;
            case BoltOperationKind.DeleteBucket:
                b.Buckets.Remove(Key);
                break;
            case BoltOperationKind.SetSequence:
                b.Buckets[Key].Sequence = Sequence;
                break;
        }
    }

    public void ApplyTo(BoltTransaction tx)
    {
        var parent = Path.Count == 0 ? null : Resolve(tx, Path);
        switch (Kind)
        {
            case BoltOperationKind.Put:
                parent!.Put(Key, Value);
                break;
            case BoltOperationKind.Delete:
                parent!.Delete(Key);
                break;
            case BoltOperationKind.CreateBucket:
                _ = parent is null ? tx.CreateBucket(Key) : parent.CreateBucket(Key);
                break;
            case BoltOperationKind.DeleteBucket:
                if (parent is null)
                {
                    tx.DeleteBucket(Key);
                }
                else
                {
                    parent.DeleteBucket(Key);
                }
                break;
            case BoltOperationKind.SetSequence:
                (parent is null ? tx.Bucket(Key) : parent.Bucket(Key))!.SetSequence(Sequence);
                break;
        }
    }

    private static BoltBucket Resolve(BoltTransaction tx, IReadOnlyList<byte[]> path)
    {
        var b = tx.Bucket(path[0])!;
        for (var i = 1; i < path.Count; i++)
        {
            b = b.Bucket(path[i])!;
        }
        return b;
    }

    public string ToScriptLine()
    {
        var path = string.Join('/', Path.Select(p => BoltDump.Hex(p)));
        var child = Path.Count == 0 ? BoltDump.Hex(Key) : path + "/" + BoltDump.Hex(Key);
        return Kind switch
        {
            BoltOperationKind.Put => $"put {path} {BoltDump.Hex(Key)} {BoltDump.Hex(Value)}",
            BoltOperationKind.Delete => $"del {path} {BoltDump.Hex(Key)}",
            BoltOperationKind.CreateBucket => $"mkbucket {child}",
            BoltOperationKind.DeleteBucket => $"delbucket {child}",
            _ => $"seq {child} {Sequence}",
        };
    }
}
