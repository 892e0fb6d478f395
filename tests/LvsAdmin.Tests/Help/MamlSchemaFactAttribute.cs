using Xunit;

namespace LvsAdmin.Tests.Help;

/// <summary>
/// A fact that needs PowerShell's MAML schemas (../shared/schemas/powershell beside the checkout, or
/// $LVS_SHARED_DIR). Without them the test is reported as skipped, with the reason, instead of passing silently.
/// </summary>
public sealed class MamlSchemaFactAttribute : FactAttribute
{
    public MamlSchemaFactAttribute()
    {
        if (HelpPaths.FindMamlSchemaDir(out var reason) is null)
        {
            Skip = "MAML schema validation skipped: " + reason;
        }
    }
}
