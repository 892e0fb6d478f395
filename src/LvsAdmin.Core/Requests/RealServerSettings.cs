using System;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Requests;

/// <summary>
/// The real server settings a caller supplied (Add-/Set-LvsRealServer): null means "not given", so a Set changes
/// only what was given. Tunnel options follow the forwarding method: leaving Tunnel drops them, entering Tunnel
/// without a type means ipip; a tunnel option that differs from the server's own on a non-tunnel result is an error.
/// </summary>
public sealed record RealServerSettings
{
    public ForwardingMethod? ForwardingMethod { get; init; }
    public int? Weight { get; init; }
    public uint? UpperThreshold { get; init; }
    public uint? LowerThreshold { get; init; }
    public TunnelType? TunnelType { get; init; }
    public ushort? TunnelPort { get; init; }
    public TunnelChecksum? TunnelChecksum { get; init; }

    public bool IsEmpty => ForwardingMethod is null && Weight is null && UpperThreshold is null && LowerThreshold is null &&
                           TunnelType is null && TunnelPort is null && TunnelChecksum is null;

    /// <summary>A new real server with these settings and ipvsadm's defaults (DirectRouting, weight 1). Validated.</summary>
    public RealServer CreateRealServer(ServiceKey service, RealServerKey key)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(key);
        return ApplyTo(new RealServer(service, key.Address, key.Port));
    }

    /// <summary><paramref name="current"/> with the given settings applied and the rest kept. Validated.</summary>
    public RealServer ApplyTo(RealServer current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var method = ForwardingMethod ?? current.ForwardingMethod;
        TunnelType type;
        ushort port;
        TunnelChecksum checksum;
        if (method == Ipvs.ForwardingMethod.Tunnel)
        {
            var wasTunnel = current.ForwardingMethod == Ipvs.ForwardingMethod.Tunnel;
            type = TunnelType ?? (wasTunnel ? current.TunnelType : Ipvs.TunnelType.Ipip);
            var sameType = wasTunnel && type == current.TunnelType;
            port = TunnelPort ?? (sameType ? current.TunnelPort : (ushort)0);
            checksum = TunnelChecksum ?? (sameType ? current.TunnelChecksum : Ipvs.TunnelChecksum.None);
        }
        else
        {
            // Not a tunnel: tunnel options are dropped. One that was given and differs from what the server has is a
            // mistake, left for validation to reject with a clear message; one equal to the current value is just the
            // server's own setting coming back through the pipeline (Get-LvsRealServer | Set-LvsRealServer).
            type = TunnelType is { } t && t != current.TunnelType ? t : Ipvs.TunnelType.Ipip;
            port = TunnelPort is { } p && p != current.TunnelPort ? p : (ushort)0;
            checksum = TunnelChecksum is { } c && c != current.TunnelChecksum ? c : Ipvs.TunnelChecksum.None;
        }
        var result = current with
        {
            ForwardingMethod = method,
            Weight = Weight ?? current.Weight,
            UpperThreshold = UpperThreshold ?? current.UpperThreshold,
            LowerThreshold = LowerThreshold ?? current.LowerThreshold,
            TunnelType = type,
            TunnelPort = port,
            TunnelChecksum = checksum,
            ActiveConnections = 0,
            InactiveConnections = 0,
            PersistentConnections = 0,
            Statistics = null,
        };
        IpvsValidation.ValidateRealServer(result);
        return result;
    }
}
