using System;

namespace LvsAdmin.Ipvs;

/// <summary>One change to the IPVS table; a list of these is applied in batches by <see cref="IpvsClient.Apply"/>.</summary>
public abstract record IpvsOperation
{
    /// <summary>The virtual service the operation is about.</summary>
    public abstract ServiceKey Service { get; }
    public abstract string Describe();
}

public sealed record AddServiceOperation(VirtualService VirtualService) : IpvsOperation
{
    public override ServiceKey Service => VirtualService.Key;
    public override string Describe() => $"add virtual service {Service}";
}

public sealed record UpdateServiceOperation(VirtualService VirtualService) : IpvsOperation
{
    public override ServiceKey Service => VirtualService.Key;
    public override string Describe() => $"update virtual service {Service}";
}

public sealed record DeleteServiceOperation(ServiceKey Key) : IpvsOperation
{
    public override ServiceKey Service => Key;
    public override string Describe() => $"remove virtual service {Service}";
}

public sealed record AddRealServerOperation(RealServer RealServer) : IpvsOperation
{
    public override ServiceKey Service => RealServer.Service;
    public override string Describe() => $"add real server {RealServer.Key} to {Service}";
}

public sealed record UpdateRealServerOperation(RealServer RealServer) : IpvsOperation
{
    public override ServiceKey Service => RealServer.Service;
    public override string Describe() => $"update real server {RealServer.Key} of {Service}";
}

public sealed record DeleteRealServerOperation(ServiceKey Key, RealServerKey Server) : IpvsOperation
{
    public override ServiceKey Service => Key;
    public override string Describe() => $"remove real server {Server} from {Service}";
}

/// <summary>The outcome of one operation: <see cref="Error"/> is null when it succeeded.</summary>
public sealed record IpvsOperationResult(IpvsOperation Operation, IpvsException? Error)
{
    public bool Succeeded => Error is null;
}
