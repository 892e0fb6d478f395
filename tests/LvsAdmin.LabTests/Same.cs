using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

/// <summary>
/// Round-trip comparisons: record equality AND every field on its own, so a field that equality ignores (or a
/// wrong Equals) cannot hide a difference.
/// </summary>
public static class Same
{
    public static void Service(VirtualService expected, VirtualService? actual, string what)
    {
        Check.True(actual is not null, what + ": not found in the kernel");
        var a = actual!;
        Check.Equal(expected.Key, a.Key, what + " Key");
        Check.Equal(expected.Service, a.Service, what + " Service text");
        Check.Equal(expected.AddressFamily, a.AddressFamily, what + " AddressFamily");
        Check.Equal(expected.Protocol, a.Protocol, what + " Protocol");
        Check.Equal(expected.Address, a.Address, what + " Address");
        Check.Equal(expected.Port, a.Port, what + " Port");
        Check.Equal(expected.FirewallMark, a.FirewallMark, what + " FirewallMark");
        Check.Equal(expected.Scheduler, a.Scheduler, what + " Scheduler");
        Check.Equal(expected.SchedulerFlags, a.SchedulerFlags, what + " SchedulerFlags");
        Check.Equal(expected.Persistent, a.Persistent, what + " Persistent");
        Check.Equal(expected.PersistenceTimeout, a.PersistenceTimeout, what + " PersistenceTimeout");
        Check.Equal(expected.PersistenceNetmask, a.PersistenceNetmask, what + " PersistenceNetmask");
        Check.Equal(expected.PersistenceEngine, a.PersistenceEngine, what + " PersistenceEngine");
        Check.Equal(expected.OnePacket, a.OnePacket, what + " OnePacket");
        Check.Equal(expected.KernelFlags, a.KernelFlags, what + " KernelFlags");
        Check.True(a.Statistics is not null, what + ": the kernel sent no statistics");
        Check.Equal(expected, a, what + " (record equality)");
        Check.Equal(expected.GetHashCode(), a.GetHashCode(), what + " hash code");
    }

    public static void RealServer(RealServer expected, RealServer? actual, string what, ForwardingMethod? reportedMethod = null)
    {
        Check.True(actual is not null, what + ": not found in the kernel");
        var a = actual!;
        Check.Equal(expected.Service, a.Service, what + " Service");
        Check.Equal(expected.Address, a.Address, what + " Address");
        Check.Equal(expected.Port, a.Port, what + " Port");
        Check.Equal(expected.AddressFamily, a.AddressFamily, what + " AddressFamily");
        Check.Equal(reportedMethod ?? expected.ForwardingMethod, a.ForwardingMethod, what + " ForwardingMethod");
        Check.Equal(expected.Weight, a.Weight, what + " Weight");
        Check.Equal(expected.UpperThreshold, a.UpperThreshold, what + " UpperThreshold");
        Check.Equal(expected.LowerThreshold, a.LowerThreshold, what + " LowerThreshold");
        Check.Equal(expected.TunnelType, a.TunnelType, what + " TunnelType");
        Check.Equal(expected.TunnelPort, a.TunnelPort, what + " TunnelPort");
        Check.Equal(expected.TunnelChecksum, a.TunnelChecksum, what + " TunnelChecksum");
        Check.Equal(expected.Key, a.Key, what + " Key");
        Check.Equal(0u, a.ActiveConnections, what + " ActiveConnections (no traffic)");
        Check.Equal(0u, a.InactiveConnections, what + " InactiveConnections (no traffic)");
        Check.True(a.Statistics is not null, what + ": the kernel sent no statistics");
        if (reportedMethod is null)
        {
            Check.Equal(expected, a, what + " (record equality)");
            Check.Equal(expected.GetHashCode(), a.GetHashCode(), what + " hash code");
        }
        else
        {
            Check.Equal(expected with { ForwardingMethod = reportedMethod.Value }, a, what + " (record equality, reported method)");
        }
    }

    /// <summary>Reads the one real server at <paramref name="address"/>:<paramref name="port"/> of a service.</summary>
    public static RealServer? Find(IpvsClient c, ServiceKey svc, IPAddress address, ushort port) =>
        c.GetRealServers(svc).SingleOrDefault(r => r.Address.Equals(address) && r.Port == port);

    public static VirtualService Svc(string key, string scheduler = "wlc") => new(ServiceKey.Parse(key)) { Scheduler = scheduler };

    public static RealServer Real(ServiceKey svc, string address, ushort port) => new(svc, IPAddress.Parse(address), port);

    /// <summary>A description of the whole table, for "unchanged" checks.</summary>
    public static string Table(IpvsClient c) =>
        string.Join("\n", c.EnumerateTable().Select(t =>
            $"{t.Service.Service} {t.Service.Scheduler} {t.Service.KernelFlags} {t.Service.PersistenceTimeout} {t.Service.PersistenceNetmask}" +
            string.Concat(t.RealServers.Select(r => $"\n  {r.Key} {r.ForwardingMethod} {r.Weight} {r.UpperThreshold} {r.LowerThreshold}"))));
}
