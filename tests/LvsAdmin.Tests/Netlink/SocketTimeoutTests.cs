using System;
using System.Diagnostics;
using LvsAdmin.Netlink;
using Xunit;

namespace LvsAdmin.Tests.Netlink;

/// <summary>The receive timeout of a real netlink socket (generic netlink needs no privilege and no IPVS).</summary>
public class SocketTimeoutTests
{
    [Fact]
    public void ReceiveWaitsForTheTimeoutThenThrowsNamingIt()
    {
        using var s = NetlinkSocket.Open(LibC.NETLINK_GENERIC, timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), s.Timeout);
        s.Timeout = TimeSpan.FromMilliseconds(300);
        Assert.Equal(TimeSpan.FromMilliseconds(300), s.Timeout);
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<TimeoutException>(() => s.ReceiveDatagram());
        Assert.InRange(sw.Elapsed.TotalMilliseconds, 250, 5000);
        Assert.Contains("0.3 s", e.Message);
    }

    [Fact]
    public void TimeoutMustBePositive()
    {
        using var s = NetlinkSocket.Open(LibC.NETLINK_GENERIC);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Timeout = TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Timeout);
    }

    [Fact]
    public void ASubMillisecondTimeoutIsNotAnEndlessWait()
    {
        // A zero timeval means "wait forever" to the kernel: 10 µs must stay a (tiny) timeout.
        using var s = NetlinkSocket.Open(LibC.NETLINK_GENERIC);
        s.Timeout = TimeSpan.FromTicks(100);
        var sw = Stopwatch.StartNew();
        Assert.Throws<TimeoutException>(() => s.ReceiveDatagram());
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "waited " + sw.Elapsed);
    }
}
