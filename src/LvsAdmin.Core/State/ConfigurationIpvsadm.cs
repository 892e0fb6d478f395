using System;
using System.Collections.Generic;
using LvsAdmin.Ipvs;

namespace LvsAdmin.State;

/// <summary>Converts between a <see cref="LvsConfiguration"/> and ipvsadm rules (<c>ipvsadm -Sn</c> / <c>ipvsadm -R</c>).</summary>
public static class ConfigurationIpvsadm
{
    /// <summary>
    /// The rules text, byte-identical to <c>ipvsadm -Sn</c> for the same table when the services are in the kernel's
    /// order (as <see cref="LiveConfiguration.Read"/> gives them). The format cannot hold thresholds, timeouts, sync
    /// daemons or host settings: see <see cref="Omissions"/>.
    /// </summary>
    public static string Write(LvsConfiguration configuration, bool sort = true) => throw new NotImplementedException();

    /// <summary>What of <paramref name="configuration"/> the ipvsadm format would drop (one sentence each; empty when nothing).</summary>
    public static IReadOnlyList<string> Omissions(LvsConfiguration configuration) => throw new NotImplementedException();

    /// <summary>
    /// Reads rules (all of <see cref="IpvsadmSaveFormat.Parse"/>). Timeouts, sync daemons and host are null (not
    /// managed). Throws <see cref="ConfigurationParseException"/> with a line number per bad line.
    /// </summary>
    public static LvsConfiguration Read(string text, string? source = null) => throw new NotImplementedException();
}
