using System.Runtime.InteropServices;

namespace LvsAdmin.Netlink;

/// <summary>The file calls the sysctl store needs, with the exact errno (EROFS vs EACCES vs EPERM matters there).</summary>
internal static unsafe partial class LibC
{
    public const int O_WRONLY = 1;
    public const int O_TRUNC = 0x200;

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nuint count);
}
