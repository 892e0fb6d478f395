using System;
using System.Collections.Generic;

namespace LvsAdmin.Configuration;

/// <summary>
/// The boundary between the configuration layer and the host-setup layer (LvsAdmin.HostSetup): how the host section
/// of a document is read and applied. Every method works in the network namespace the backend was made for.
/// </summary>
public interface IHostStateBackend
{
    /// <summary>The value of a sysctl (dotted key), or null when the key does not exist.</summary>
    string? ReadSysctl(string key);
    /// <summary>Writes a sysctl; throws an IpvsException-derived error when it cannot.</summary>
    void WriteSysctl(string key, string value);
    /// <summary>The addresses of an interface (empty when it has none; throws when the interface does not exist).</summary>
    IReadOnlyList<HostAddress> ReadAddresses(string interfaceName);
    void AddAddress(HostAddress address);
    void RemoveAddress(HostAddress address);
}
