namespace Cairn.Tests.Processes;

/// <summary>
/// One single-member cluster's identity and place on disk: name, loopback ports, a scratch directory holding the
/// data dir. Outlives the server processes started on it (restart, swap etcd for cairn) and deletes its directory
/// when disposed.
/// </summary>
public sealed class TestMember : IDisposable
{
    private TestMember(string name, DirectoryInfo directory)
    {
        Name = name;
        Directory = directory.FullName;
        ChoosePorts();
    }

    public string Name { get; }

    /// <summary>The scratch directory; the data dir and any files a test makes (snapshots) live under it.</summary>
    public string Directory { get; }

    public string DataDir => Path.Combine(Directory, "data");

    public int ClientPort { get; private set; }

    public int PeerPort { get; private set; }

    public string ClientUrl => $"http://127.0.0.1:{ClientPort}";

    public string PeerUrl => $"http://127.0.0.1:{PeerPort}";

    /// <summary>The endpoint as etcdctl takes it and prints it.</summary>
    public string Endpoint => $"127.0.0.1:{ClientPort}";

    public string InitialCluster => $"{Name}={PeerUrl}";

    public Etcdctl Etcdctl => new(Endpoint);

    /// <summary>The flags that place a server on this member (etcd's and cairn's alike).</summary>
    public IReadOnlyList<string> Flags =>
    [
        "--name", Name,
        "--data-dir", DataDir,
        "--listen-client-urls", ClientUrl,
        "--advertise-client-urls", ClientUrl,
        "--listen-peer-urls", PeerUrl,
        "--initial-advertise-peer-urls", PeerUrl,
        "--initial-cluster", InitialCluster,
    ];

    public static TestMember Create(string name = "n1") => new(name, System.IO.Directory.CreateTempSubdirectory("cairn-e2e-"));

    /// <summary>New ports, for a first start whose ports were taken by someone else meanwhile.</summary>
    internal void ChoosePorts()
    {
        var ports = FreePorts.Take(2);
        ClientPort = ports[0];
        PeerPort = ports[1];
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already removed.
        }
    }
}
