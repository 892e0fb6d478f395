using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using LvsAdmin.Ipvs;
using LvsAdmin.Formats;

namespace LvsAdmin.Commands;

/// <summary>
/// The text of the default virtual service view (LvsAdmin.format.ps1xml, VirtualServiceList): ipvsadm -Ln's lines
/// for a service and the real servers in its RealServers property. A live object prints from its model; a
/// deserialized one (remoting, Import-Clixml, a job) is first rebuilt from its recorded properties, so both print
/// the same text.
/// </summary>
public static class ServiceListView
{
    /// <summary>The column titles ("Prot LocalAddress:Port …" and "  -> RemoteAddress:Port …"), without the last newline.</summary>
    public static string Titles() => IpvsadmListFormat.Titles().TrimEnd('\n');

    /// <summary>
    /// The group header: the titles, preceded by "PSComputerName: NAME" when the object came from another host
    /// (Invoke-Command adds PSComputerName to what it returns).
    /// </summary>
    public static string Header(PSObject item)
    {
        var origin = Origin(item);
        return origin.Length == 0 ? Titles() : "PSComputerName: " + origin + "\n" + Titles();
    }

    /// <summary>The host an object came from (its PSComputerName), or "" for a local object.</summary>
    public static string Origin(PSObject? item) => Text(item?.Properties["PSComputerName"]?.Value) ?? "";

    /// <summary>The service line and its real server lines, as ipvsadm -Ln prints them, without the last newline.</summary>
    public static string Entry(PSObject item)
    {
        if (item is null) throw new ArgumentNullException(nameof(item));
        var service = item.BaseObject as VirtualService ?? RebuildService(item);
        if (service is null) return Text(item.Properties["Service"]?.Value) ?? item.ToString();
        var reals = new List<RealServer>();
        if (item.Properties["RealServers"]?.Value is { } list)
        {
            // A RealServer[] when live; a PSObject over an ArrayList of property bags when deserialized.
            foreach (var r in LanguagePrimitives.GetEnumerable(list) ?? new[] { list })
            {
                if (r is null) continue;
                var real = PSObject.AsPSObject(r);
                if ((real.BaseObject as RealServer ?? RebuildRealServer(real, service.Key)) is { } rs) reals.Add(rs);
            }
        }
        return IpvsadmListFormat.ServiceEntry(service, reals).TrimEnd('\n');
    }

    /// <summary>A virtual service from the properties a serialized one carries; null when its Service does not parse.</summary>
    private static VirtualService? RebuildService(PSObject item)
    {
        if (!ServiceKey.TryParse(Text(item.Properties["Service"]?.Value), out var key, out _) || key is null) return null;
        var service = new VirtualService(key);
        return service with
        {
            Scheduler = Text(item.Properties["Scheduler"]?.Value) ?? service.Scheduler,
            SchedulerFlags = Value(item, "SchedulerFlags", service.SchedulerFlags),
            Persistent = Value(item, "Persistent", service.Persistent),
            PersistenceTimeout = Value(item, "PersistenceTimeout", service.PersistenceTimeout),
            PersistenceNetmask = Text(item.Properties["PersistenceNetmask"]?.Value) ?? service.PersistenceNetmask,
            PersistenceEngine = Text(item.Properties["PersistenceEngine"]?.Value),
            OnePacket = Value(item, "OnePacket", service.OnePacket),
        };
    }

    /// <summary>A real server from the properties a serialized one carries; null when its Address does not parse.</summary>
    private static RealServer? RebuildRealServer(PSObject item, ServiceKey service)
    {
        if (!IPAddress.TryParse(Text(item.Properties["Address"]?.Value) ?? "", out var address)) return null;
        var server = new RealServer(service, address, Value(item, "Port", (ushort)0));
        return server with
        {
            ForwardingMethod = Value(item, "ForwardingMethod", server.ForwardingMethod),
            Weight = Value(item, "Weight", server.Weight),
            UpperThreshold = Value(item, "UpperThreshold", server.UpperThreshold),
            LowerThreshold = Value(item, "LowerThreshold", server.LowerThreshold),
            TunnelType = Value(item, "TunnelType", server.TunnelType),
            TunnelPort = Value(item, "TunnelPort", server.TunnelPort),
            TunnelChecksum = Value(item, "TunnelChecksum", server.TunnelChecksum),
            ActiveConnections = Value(item, "ActiveConnections", server.ActiveConnections),
            InactiveConnections = Value(item, "InactiveConnections", server.InactiveConnections),
            PersistentConnections = Value(item, "PersistentConnections", server.PersistentConnections),
        };
    }

    /// <summary>
    /// A recorded property as T (a deserialized enum arrives as its number with its name as text), or
    /// <paramref name="fallback"/> when it is missing or does not convert.
    /// </summary>
    private static T Value<T>(PSObject item, string name, T fallback)
    {
        var value = item.Properties[name]?.Value;
        if (value is null) return fallback;
        try
        {
            if (typeof(T).IsEnum && PSObject.AsPSObject(value).BaseObject is not string and IConvertible number)
                return (T)Enum.ToObject(typeof(T), number.ToInt64(System.Globalization.CultureInfo.InvariantCulture));
            return LanguagePrimitives.ConvertTo<T>(value);
        }
        catch (Exception e) when (e is PSInvalidCastException or InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            return fallback;
        }
    }

    private static string? Text(object? value) => value is null ? null : PSObject.AsPSObject(value).BaseObject switch
    {
        string s => s,
        _ => value.ToString(),
    };
}
