using System.Runtime.CompilerServices;

namespace Cairn.Raft.Tests.Golden;

/// <summary>
/// Core flows recorded as readable transcripts (every Ready of every member) and compared with the
/// files next to this one, so that a change of behaviour shows up as a diff. After an intended
/// change, regenerate them with CAIRN_UPDATE_GOLDEN=1 and review the diff (see docs/raft.md).
/// </summary>
public class GoldenTranscriptTests
{
    [Fact]
    public void Election_of_a_three_member_cluster_matches_its_transcript()
    {
        var c = new TranscriptCluster(3);
        c.Comment("Three members bootstrapped together: each persists and applies the three conf changes.");
        c.Stabilize();
        c.Comment("1 campaigns: votes are asked, granted, and the new leader appends an empty entry of its term.");
        c.Do(1, "campaign", n =>
        {
            n.Campaign();
            return null;
        });
        c.Stabilize();
        Compare("election.txt", c.Text);
    }

    [Fact]
    public void Replication_of_proposals_matches_its_transcript()
    {
        var c = ElectedCluster();
        c.Comment("The leader takes a proposal, replicates it, commits it and tells the followers.");
        c.Do(1, "propose \"a\"", n => n.Propose(TranscriptCluster.Bytes("a")).Status);
        c.Stabilize();
        c.Comment("A follower forwards its proposal to the leader.");
        c.Do(3, "propose \"b\"", n => n.Propose(TranscriptCluster.Bytes("b")).Status);
        c.Stabilize();
        c.Comment("A batch goes to each follower in one append.");
        c.Do(1, "propose batch \"c\" \"d\"", n => n.ProposeBatch([TranscriptCluster.Bytes("c"), TranscriptCluster.Bytes("d")]).Status);
        c.Stabilize();
        Compare("replication.txt", c.Text);
    }

    [Fact]
    public void ReadIndex_flow_matches_its_transcript()
    {
        var c = ElectedCluster();
        c.Comment("A read at the leader: a heartbeat round carrying the context confirms leadership.");
        c.Do(1, "read index \"r1\"", n => n.ReadIndex(TranscriptCluster.Bytes("r1")).Status);
        c.Stabilize();
        c.Comment("A read at a follower is forwarded; the leader answers it after its own heartbeat round.");
        c.Do(2, "read index \"r2\"", n => n.ReadIndex(TranscriptCluster.Bytes("r2")).Status);
        c.Stabilize();
        Compare("read_index.txt", c.Text);
    }

    private static TranscriptCluster ElectedCluster()
    {
        var c = new TranscriptCluster(3);
        c.Stabilize();
        c[1].Campaign();
        c.Stabilize();
        // The election has its own transcript; start this one with 1 leading.
        c.ClearTranscript();
        return c;
    }

    private static void Compare(string file, string actual, [CallerFilePath] string here = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(here)!, file);
        if (Environment.GetEnvironmentVariable("CAIRN_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; create it with CAIRN_UPDATE_GOLDEN=1");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }
}
