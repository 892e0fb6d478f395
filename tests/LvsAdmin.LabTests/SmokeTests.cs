using LvsAdmin.Ipvs;

namespace LvsAdmin.LabTests;

public sealed class SmokeTests
{
    [LabTest]
    public void InfoReportsVersion(LabContext ctx)
    {
        var info = ctx.Client.GetInfo();
        Check.Equal(new System.Version(1, 2, 1), info.Version, "IPVS version");
        Check.True(info.ConnectionTableSize > 0, "connection table size is positive");
    }

    [LabTest]
    public void AddListDeleteService(LabContext ctx)
    {
        var svc = new VirtualService(ServiceKey.Parse("tcp/10.0.0.1:80")) { Scheduler = "rr" };
        ctx.Client.AddService(svc);
        var list = ctx.Client.GetServices();
        Check.Equal(1, list.Count, "service count");
        Check.Equal(svc, list[0], "service read back");
        ctx.Client.DeleteService(svc.Key);
        Check.Equal(0, ctx.Client.GetServices().Count, "service count after delete");
    }
}
