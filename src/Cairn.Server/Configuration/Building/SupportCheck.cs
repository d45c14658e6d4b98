using System.Collections.Immutable;
using Cairn.Server.Configuration.Flags;

namespace Cairn.Server.Configuration.Building;

/// <summary>One flag whose value reaches a feature cairn lacks (refusal) or does not serve (warning).</summary>
/// <param name="Flag">The flag.</param>
/// <param name="Origin">Where its value came from.</param>
/// <param name="Feature">What is missing, from the flag's <see cref="FlagSupport"/>.</param>
public sealed record SupportFinding(FlagDefinition Flag, FlagOrigin Origin, string Feature)
{
    /// <summary>"--cert-file (from ETCD_CERT_FILE) is not supported yet: client TLS".</summary>
    public string RefusalMessage => $"--{Flag.Name}{Origin.Describe()} is not supported yet: {Feature}";

    /// <summary>"--enable-v2 is accepted, but cairn does not serve the etcd v2 API ...".</summary>
    public string WarningMessage => $"--{Flag.Name}{Origin.Describe()} is accepted, but {Feature}";
}

/// <summary>The outcome of checking every flag against its support status.</summary>
public sealed record SupportReport(ImmutableArray<SupportFinding> Refusals, ImmutableArray<SupportFinding> Warnings)
{
    public bool CanStart => Refusals.IsEmpty;

    /// <summary>One line naming every refused flag, for the error that stops the start.</summary>
    public string Summary => string.Join("; ", Refusals.Select(r => r.RefusalMessage));
}

/// <summary>
/// Applies each flag's <see cref="FlagSupport"/> to its value: a value that would turn on a feature another issue
/// builds refuses the start; a value cairn accepts without serving it is warned about. Nothing is ignored silently.
/// </summary>
public static class SupportCheck
{
    public static SupportReport Check(FlagValues values)
    {
        var refusals = ImmutableArray.CreateBuilder<SupportFinding>();
        var warnings = ImmutableArray.CreateBuilder<SupportFinding>();
        foreach (var (flag, value) in values.Each())
        {
            if (!flag.Support.IsTriggeredBy(value))
            {
                continue;
            }

            var finding = new SupportFinding(flag, value.Origin, flag.Support.Feature!);
            (flag.Support.Status == SupportStatus.NotSupportedYet ? refusals : warnings).Add(finding);
        }

        return new SupportReport(refusals.ToImmutable(), warnings.ToImmutable());
    }
}
