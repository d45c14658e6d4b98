namespace Cairn.Bench;

/// <summary>
/// One benchmark workload, run as `Cairn.Bench &lt;name&gt; [args]`. Workloads are found by
/// reflection so that each lives in its own file with nothing shared to edit.
/// </summary>
public interface IWorkload
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args);
}
