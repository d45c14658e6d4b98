using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Server.Tests.Apply;

/// <summary>
/// Random requests through the applier and through <see cref="ReferenceKvModel"/>: every
/// response (or error) must be the same. The seed is printed; a failure names the step.
/// </summary>
public class ApplierModelTests(ITestOutputHelper output)
{
    private static readonly string[] Keys = ["a", "b", "ba", "c", "d", "e", "f", "g", "h", "i"];

    [Theory]
    [InlineData(11, 1500)]
    [InlineData(22, 1500)]
    [InlineData(33, 1500)]
    public async Task Random_requests_get_the_models_answers(int seed, int steps)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var model = new ReferenceKvModel();
        using var store = new MvccStore(new InMemoryRevisionBackend(), options: new MvccStoreOptions { CompactionBatchInterval = TimeSpan.Zero, CompactionBatchLimit = 7 });
        var applier = new KvApplier(store);
        var generator = new RequestGenerator(random, () => store.CurrentRevision, () => store.CompactedRevision);

        for (int step = 0; step < steps; step++)
        {
            var request = generator.Next();
            var expected = request switch
            {
                { Range: { } r } => model.Range(r),
                { Put: { } p } => model.Put(p),
                { DeleteRange: { } d } => model.DeleteRange(d),
                { Txn: { } t } => model.Txn(t),
                { Compaction: { } c } => model.Compact(c),
                _ => throw new InvalidOperationException(),
            };
            var actual = applier.Apply(request)!;
            string where = $"seed {seed} step {step}: {request}";
            Assert.True(expected.Error == actual.Error, $"{where}\n expected error {expected.Error}\n got {actual}");
            Assert.True(Equals(expected.Response, actual.Response), $"{where}\n expected {expected.Response}\n got {actual.Response}");
            if (actual.PhysicalCompaction is { } physical && random.Next(2) == 0)
            {
                await physical;
            }
        }
        output.WriteLine($"ended at revision {store.CurrentRevision}, compacted {store.CompactedRevision}, {store.IndexedKeyCount} keys indexed");
    }

    private sealed class RequestGenerator(Random random, Func<long> current, Func<long> compacted)
    {
        private ByteString Key() => ByteString.CopyFromUtf8(Keys[random.Next(Keys.Length)]);

        private ByteString Value() => ByteString.CopyFromUtf8(random.Next(4).ToString());

        private ByteString End() => random.Next(4) switch
        {
            0 => ByteString.CopyFrom(0),
            1 => ByteString.Empty,
            _ => Key(),
        };

        public InternalRaftRequest Next() => random.Next(20) switch
        {
            < 6 => new InternalRaftRequest { Put = Put(Key(), top: true) },
            < 8 => new InternalRaftRequest { DeleteRange = Delete(Key()) },
            < 13 => new InternalRaftRequest { Range = Range(top: true) },
            < 19 => new InternalRaftRequest { Txn = Txn(new HashSet<string>(), depth: 0) },
            _ => new InternalRaftRequest { Compaction = new CompactionRequest { Revision = Revision() } },
        };

        private long Revision() => Math.Max(0, random.Next(4) == 0
            ? current() + random.Next(-1, 3)
            : random.NextInt64(Math.Max(1, compacted() - 1), current() + 2));

        private PutRequest Put(ByteString key, bool top)
        {
            var p = new PutRequest { Key = key, PrevKv = random.Next(2) == 0 };
            if (top && random.Next(10) == 0)
            {
                p.IgnoreValue = true;
            }
            else if (random.Next(30) == 0)
            {
                p.Lease = 5;
            }
            else
            {
                p.Value = Value();
            }
            return p;
        }

        private DeleteRangeRequest Delete(ByteString key) =>
            new() { Key = key, RangeEnd = random.Next(3) == 0 ? End() : ByteString.Empty, PrevKv = random.Next(2) == 0 };

        private RangeRequest Range(bool top)
        {
            var r = new RangeRequest { Key = Key(), RangeEnd = random.Next(4) == 0 ? ByteString.Empty : End() };
            if (top && random.Next(3) == 0)
            {
                r.Revision = Revision();
            }
            if (random.Next(3) == 0)
            {
                r.Limit = random.Next(-1, 4);
            }
            if (random.Next(3) == 0)
            {
                r.SortTarget = (RangeRequest.Types.SortTarget)random.Next(5);
                r.SortOrder = (RangeRequest.Types.SortOrder)random.Next(3);
            }
            switch (random.Next(8))
            {
                case 0: r.MinModRevision = random.Next(1, (int)current() + 1); break;
                case 1: r.MaxModRevision = random.Next(1, (int)current() + 1); break;
                case 2: r.MinCreateRevision = random.Next(1, (int)current() + 1); break;
                case 3: r.MaxCreateRevision = random.Next(1, (int)current() + 1); break;
            }
            r.KeysOnly = random.Next(5) == 0;
            r.CountOnly = random.Next(8) == 0;
            return r;
        }

        private Compare Compare()
        {
            var c = new Compare
            {
                Key = Key(),
                Target = (Compare.Types.CompareTarget)random.Next(4),
                Result = (Compare.Types.CompareResult)random.Next(4),
            };
            if (random.Next(5) == 0)
            {
                c.RangeEnd = End();
            }
            switch (c.Target)
            {
                case Cairn.Protocol.Etcdserverpb.Compare.Types.CompareTarget.Value: c.Value = Value(); break;
                case Cairn.Protocol.Etcdserverpb.Compare.Types.CompareTarget.Version: c.Version = random.Next(0, 4); break;
                case Cairn.Protocol.Etcdserverpb.Compare.Types.CompareTarget.Create: c.CreateRevision = random.Next(0, (int)current() + 1); break;
                default: c.ModRevision = random.Next(0, (int)current() + 1); break;
            }
            return c;
        }

        /// <summary>
        /// A transaction whose writes never touch a key twice (the duplicate-key rule): every
        /// written key is taken from <paramref name="used"/>; deletes are single keys.
        /// </summary>
        private TxnRequest Txn(HashSet<string> used, int depth)
        {
            var t = new TxnRequest();
            for (int i = random.Next(3); i > 0; i--)
            {
                t.Compare.Add(Compare());
            }
            bool readOnly = random.Next(4) == 0;
            foreach (var branch in new[] { t.Success, t.Failure })
            {
                for (int i = random.Next(4); i > 0; i--)
                {
                    branch.Add(Op(used, depth, readOnly));
                }
            }
            return t;
        }

        private RequestOp Op(HashSet<string> used, int depth, bool readOnly)
        {
            int kind = readOnly ? 0 : random.Next(depth < 2 ? 4 : 3);
            if (kind is 1 or 2)
            {
                var free = Keys.Where(k => !used.Contains(k)).ToList();
                if (free.Count == 0)
                {
                    kind = 0;
                }
                else
                {
                    string key = free[random.Next(free.Count)];
                    used.Add(key);
                    return kind == 1
                        ? new RequestOp { RequestPut = Put(ByteString.CopyFromUtf8(key), top: false) }
                        : new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key), PrevKv = random.Next(2) == 0 } };
                }
            }
            return kind == 3
                ? new RequestOp { RequestTxn = Txn(used, depth + 1) }
                : new RequestOp { RequestRange = Range(top: false) };
        }
    }
}
