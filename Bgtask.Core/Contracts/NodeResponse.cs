namespace Bgtask.Core.Contracts;

/// <summary>A service node: <c>live</c> while its lease is current; <c>running</c> of its <c>slots</c> runners in use.</summary>
public sealed record NodeResponse(string Name, string? Url, DateTime StartedAt, DateTime HeartbeatAt, bool Live,
    int Running, int Slots);
