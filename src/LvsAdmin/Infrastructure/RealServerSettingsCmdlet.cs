using System.Management.Automation;
using LvsAdmin.Ipvs;
using LvsAdmin.Requests;

namespace LvsAdmin.Commands;

/// <summary>
/// Base of Add- and Set-LvsRealServer: the real server settings, collected as "only what was supplied". They bind by
/// property name too, so real server objects (or CSV rows with these columns) can be piped in; values given on the
/// command line win over piped ones.
/// </summary>
public abstract class RealServerSettingsCmdlet : RealServerIdentityCmdlet
{
    /// <summary>
    /// How packets reach the real server: DirectRouting (the default; also Route, Gateway), Nat (also Masquerade,
    /// Masq) or Tunnel (also Ipip). Text, not the ForwardingMethod enum: PowerShell completes an enum parameter with
    /// every enum name (Local and Bypass too, which cannot be set) and never asks its ArgumentCompleter, so an enum
    /// would hide ipvsadm's words from tab completion. The transformation checks the word while binding and leaves the
    /// enum name here.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ForwardingMethodTransformation]
    [ArgumentCompleter(typeof(ForwardingMethodCompleter))]
    public string ForwardingMethod { get; set; } = nameof(Ipvs.ForwardingMethod.DirectRouting);

    /// <summary>The weight, 0 to 65535 (1 when omitted); 0 quiesces the server: no new connections.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, 65535)]
    public int Weight { get; set; } = RealServer.DefaultWeight;

    /// <summary>Upper connection threshold: no new connections above it (0 = no limit).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0u, 2147483647u)]
    public uint UpperThreshold { get; set; }

    /// <summary>Lower connection threshold: new connections again below it (0 = not set).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0u, 2147483647u)]
    public uint LowerThreshold { get; set; }

    /// <summary>Encapsulation of a Tunnel real server: Ipip (the default), Gue or Gre.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public TunnelType TunnelType { get; set; }

    /// <summary>The real server's GUE port (Gue tunnels only).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public ushort TunnelPort { get; set; }

    /// <summary>Tunnel checksums: None, Checksum (Gue and Gre) or RemoteChecksum (Gue only).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public TunnelChecksum TunnelChecksum { get; set; }

    /// <summary>Write the resulting real server to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The settings the caller supplied; everything else stays null.</summary>
    protected RealServerSettings GetSettings() => new()
    {
        ForwardingMethod = Given(nameof(ForwardingMethod)) ? System.Enum.Parse<Ipvs.ForwardingMethod>(ForwardingMethod, ignoreCase: true) : null,
        Weight = Given(nameof(Weight)) ? Weight : null,
        UpperThreshold = Given(nameof(UpperThreshold)) ? UpperThreshold : null,
        LowerThreshold = Given(nameof(LowerThreshold)) ? LowerThreshold : null,
        TunnelType = Given(nameof(TunnelType)) ? TunnelType : null,
        TunnelPort = Given(nameof(TunnelPort)) ? TunnelPort : null,
        TunnelChecksum = Given(nameof(TunnelChecksum)) ? TunnelChecksum : null,
    };
}
