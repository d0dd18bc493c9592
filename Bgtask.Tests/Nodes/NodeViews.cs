namespace Bgtask.Tests.Nodes;

/// <summary>One item of <c>GET /api/nodes</c>, as the contract has it.</summary>
public sealed record NodeView(string Name, string? Url, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, bool Live,
    int Running, int Slots);
