namespace Cairn.Tests.Oracle;

/// <summary>The scenario format, the command-line splitting and the normalisation the oracle comparisons rest on.</summary>
public class OracleToolingTests
{
    [Fact]
    public void Command_lines_split_as_a_shell_would_for_the_quoting_scenarios_use()
    {
        Assert.Equal(["etcdctl", "put", "", "a b", "c\"d", "e f", "x"], CommandLine.Split("etcdctl put \"\" 'a b' \"c\\\"d\" e\\ f  x"));
        Assert.Equal(["put", "k", "vvvv", "a--b"], CommandLine.Split("put k {v*4} a{b*0}--b"));
        Assert.Throws<FormatException>(() => CommandLine.Split("put 'open"));
    }

    [Fact]
    public void A_scenario_file_reads_back_as_written()
    {
        const string text = """
            # Title.
            server: --max-txn-ops 3 --name 'a b'

            # About the first step.
            $ etcdctl put a 1
            OK

            $ etcdctl txn --interactive=false <<EOF
            value("a") = "1"

            put a 2


            EOF
            SUCCESS

            OK
            ! Error: x
            [exit 1]

            $ restart

            """;
        var scenario = ScenarioFile.Parse("s", text);
        Assert.Equal(["--max-txn-ops", "3", "--name", "a b"], scenario.ServerFlags);
        Assert.Equal(["# Title.", "server: --max-txn-ops 3 --name 'a b'"], scenario.Header);
        Assert.Equal(3, scenario.Steps.Count);
        Assert.Equal(["# About the first step."], scenario.Steps[0].Comments);
        Assert.Equal("etcdctl txn --interactive=false", scenario.Steps[1].CommandLine);
        Assert.Equal("value(\"a\") = \"1\"\n\nput a 2\n\n\n", scenario.Steps[1].Stdin);
        Assert.Equal(["SUCCESS", "", "OK", "! Error: x", "[exit 1]"], scenario.Steps[1].Transcript);
        Assert.Empty(scenario.Steps[2].Transcript);
        Assert.Equal(text, ScenarioFile.Format(scenario, [.. scenario.Steps.Select(s => s.Transcript)]));
    }

    [Fact]
    public void A_transcript_line_the_format_would_misread_is_refused_when_recording()
    {
        var scenario = ScenarioFile.Parse("s", "$ etcdctl get a\n");
        Assert.Throws<FormatException>(() => ScenarioFile.Format(scenario, [["$ not a command"]]));
    }

    [Fact]
    public void Normalisation_replaces_ids_ports_terms_sizes_and_durations_and_keeps_revisions_and_indexes()
    {
        var identity = new ServerIdentity(17010963214147749224, 16128400632968936350, 41379, 41380);
        var lines = TranscriptNormalizer.Normalize(
        [
            "[{\"Endpoint\":\"127.0.0.1:41379\",\"Status\":{\"header\":{\"cluster_id\":16128400632968936350,\"member_id\":17010963214147749224,\"revision\":1,\"raft_term\":2},\"version\":\"3.4.23\",\"dbSize\":20480,\"leader\":17010963214147749224,\"raftIndex\":4,\"raftTerm\":2,\"raftAppliedIndex\":4,\"dbSizeInUse\":16384}}]",
            "127.0.0.1:41379, ec1314ea52838568, 3.4.23, 20 kB, true, false, 2, 4, 4, ",
            "ec1314ea52838568, started, n1, http://127.0.0.1:41380, http://127.0.0.1:41379, false",
            "\"RaftTerm\" : 2",
            "! 127.0.0.1:41379 is healthy: successfully committed proposal: took = 2.100357ms",
            "! {\"level\":\"warn\",\"ts\":\"2026-11-22T05:27:05.858Z\",\"caller\":\"c\",\"target\":\"endpoint://client-ecbf8235-a3be-453c-ac81-6a8d9d9d68ff/127.0.0.1:41379\"}",
        ], identity);
        Assert.Equal(
        [
            "[{\"Endpoint\":\"127.0.0.1:<client-port>\",\"Status\":{\"header\":{\"cluster_id\":<cluster-id>,\"member_id\":<member-id>,\"revision\":1,\"raft_term\":<raft-term>},\"version\":\"3.4.23\",\"dbSize\":<db-size>,\"leader\":<member-id>,\"raftIndex\":4,\"raftTerm\":<raft-term>,\"raftAppliedIndex\":4,\"dbSizeInUse\":<db-size>}}]",
            "127.0.0.1:<client-port>, <member-id>, 3.4.23, <db-size>, true, false, <raft-term>, 4, 4, ",
            "<member-id>, started, n1, http://127.0.0.1:<peer-port>, http://127.0.0.1:<client-port>, false",
            "\"RaftTerm\" : <raft-term>",
            "! 127.0.0.1:<client-port> is healthy: successfully committed proposal: took = <took>",
            "! {\"level\":\"warn\",\"ts\":\"<ts>\",\"caller\":\"c\",\"target\":\"endpoint://client-<uuid>/127.0.0.1:<client-port>\"}",
        ], lines);
    }

    [Fact]
    public void Tables_are_compared_by_their_cells_not_their_widths()
    {
        var identity = new ServerIdentity(1, 2, 3, 4);
        string[] wide =
        [
            "+----------+-----------+---------+",
            "| ENDPOINT |  DB SIZE  | RAFT TERM |",
            "+----------+-----------+---------+",
            "|    e     |  20 kB    |      2 |",
            "+----------+-----------+---------+",
        ];
        string[] narrow = ["+--+--+--+", "| ENDPOINT | DB SIZE | RAFT TERM |", "+--+--+--+", "| e | 25 kB | 3 |", "+--+--+--+"];
        Assert.Equal(TranscriptNormalizer.Normalize(wide, identity), TranscriptNormalizer.Normalize(narrow, identity));
        Assert.Equal("| e | <db-size> | <raft-term> |", TranscriptNormalizer.Normalize(wide, identity)[3]);
    }

    [Fact]
    public void After_a_fill_revisions_and_raft_indexes_are_written_relative_to_where_it_ended()
    {
        var identity = new ServerIdentity(17010963214147749224, 16128400632968936350, 41379, 41380);
        var fill = new FillMarks(RevisionBefore: 4, RevisionAfter: 12, IndexBefore: 9, IndexAfter: 18);
        var lines = TranscriptNormalizer.Normalize(
        [
            "{\"header\":{\"revision\":14},\"kvs\":[{\"key\":\"YQ==\",\"create_revision\":2,\"mod_revision\":13,\"version\":2}]}",
            "[{\"Status\":{\"header\":{\"revision\":12},\"raftIndex\":17,\"raftAppliedIndex\":9}}]",
            "compacted revision 12",
            "\"Revision\" : 10",
            "\"RaftIndex\" : 20",
            "| ENDPOINT | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |",
            "| e | 19 | 19 | memberID:17010963214147749224 |",
            "|  |  |  | alarm:NOSPACE |",
        ], identity, fill);
        Assert.Equal(
        [
            "{\"header\":{\"revision\":<fill-rev+2>},\"kvs\":[{\"key\":\"YQ==\",\"create_revision\":2,\"mod_revision\":<fill-rev+1>,\"version\":2}]}",
            "[{\"Status\":{\"header\":{\"revision\":<fill-rev>},\"raftIndex\":<fill-index-1>,\"raftAppliedIndex\":9}}]",
            "compacted revision <fill-rev>",
            "\"Revision\" : <fill-rev-2>",
            "\"RaftIndex\" : <fill-index+2>",
            "| ENDPOINT | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |",
            "| e | <fill-index+1> | <fill-index+1> | memberID:<member-id> |",
            "|  |  |  | alarm:NOSPACE |",
        ], lines);
    }

    [Fact]
    public void The_hash_of_hashkv_is_kept_and_a_snapshots_is_set_aside()
    {
        var lines = TranscriptNormalizer.Normalize(
        [
            "[{\"Endpoint\":\"e\",\"HashKV\":{\"header\":{\"revision\":9},\"hash\":2813761966,\"compact_revision\":-1}}]",
            "{\"hash\":123,\"revision\":5,\"totalKey\":10,\"totalSize\":20480}",
            "| ENDPOINT | HASH |",
            "| e | 2813761966 |",
        ], ServerIdentity.None);
        Assert.Equal(
        [
            "[{\"Endpoint\":\"e\",\"HashKV\":{\"header\":{\"revision\":9},\"hash\":2813761966,\"compact_revision\":-1}}]",
            "{\"hash\":<hash>,\"revision\":5,\"totalKey\":10,\"totalSize\":<db-size>}",
            "| ENDPOINT | HASH |",
            "| e | 2813761966 |",
        ], lines);
    }

    [Fact]
    public void Etcd_3_5_additions_cairn_makes_read_as_etcd_3_4s_answers()
    {
        var health = TranscriptNormalizer.Normalize(
            ["HTTP/1.1 503 Service Unavailable", "content-length: 44", "", "{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}"], ServerIdentity.None);
        Assert.Equal(["HTTP/1.1 503 Service Unavailable", "content-length: 19", "", "{\"health\":\"false\"}"], health);
        Assert.Equal(
            ["{\"alarms\":[{\"memberID\":1,\"alarm\":1}]}", "{}"],
            TranscriptNormalizer.WithoutAlarmHeader(["{\"header\":{\"cluster_id\":2,\"revision\":14},\"alarms\":[{\"memberID\":1,\"alarm\":1}]}", "{\"header\":{\"revision\":1}}"]));
    }

    [Fact]
    public void The_diff_shows_what_was_expected_and_what_came()
    {
        var diff = TextDiff.Unified(["a", "b", "c"], ["a", "x", "c"], "etcd", "cairn");
        Assert.Equal("--- etcd\n+++ cairn\n  a\n+ x\n- b\n  c\n", diff);
    }
}
