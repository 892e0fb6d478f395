using System;
using System.Globalization;
using System.Management.Automation;
using LvsAdmin.Ipvs;
using LvsAdmin.Management;

namespace LvsAdmin.Commands;

/// <summary>
/// Lets -ForwardingMethod take ipvsadm's words as well as the enum names: Route, Gateway, Dr (DirectRouting);
/// Masquerade, Masq (Nat); Ipip, Tun (Tunnel); and the numbers a deserialized object carries.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ForwardingMethodTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        if (value is ForwardingMethod m) return m;
        string? text = value switch
        {
            null => null,
            string s => s,
            IConvertible c when value.GetType().IsPrimitive => c.ToString(CultureInfo.InvariantCulture),
            _ => inputData.ToString(), // a deserialized enum or other object: its recorded text
        };
        try
        {
            return IpvsNames.ParseForwardingMethod(text);
        }
        catch (IpvsValidationException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}
