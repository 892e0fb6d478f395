using System;
using System.Globalization;
using System.Management.Automation;
using LvsAdmin.Ipvs;

namespace LvsAdmin.Commands;

/// <summary>
/// Lets -ForwardingMethod take ipvsadm's words as well as the enum names: Route, Gateway, Dr (DirectRouting);
/// Masquerade, Masq (Nat); Ipip, Tun (Tunnel); and the numbers a deserialized object carries. Gives the enum name
/// (DirectRouting, Nat, Tunnel) for the text parameter; a bad word fails the binding.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ForwardingMethodTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        // An enum value (a piped real server's) is kept as it is: the settings validation judges Local and Bypass.
        if (value is ForwardingMethod m) return m.ToString();
        string? text = value switch
        {
            null => null,
            string s => s,
            IConvertible c when value.GetType().IsPrimitive => c.ToString(CultureInfo.InvariantCulture),
            _ => inputData.ToString(), // a deserialized enum or other object: its recorded text
        };
        try
        {
            return IpvsNames.ParseForwardingMethod(text).ToString();
        }
        catch (IpvsValidationException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}
