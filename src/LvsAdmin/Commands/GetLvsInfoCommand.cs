using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Gets the IPVS version, the connection table size, and the scheduler and persistence engine modules the kernel has
/// loaded (when /proc/modules or /sys/module can be read).
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsInfo")]
[OutputType(typeof(IpvsInfo))]
public sealed class GetLvsInfoCommand : LvsCmdlet
{
    protected override void ProcessRecord()
    {
        IpvsInfo? info = null;
        if (Try("IPVS", () => info = Client.GetInfo()))
            WriteObject(KernelModules.WithModules(info!, KernelModules.ReadModuleNames()));
    }
}
