namespace Bgtask.Api.Cluster;

/// <summary>
/// What one node tells the others about a task it just changed: wake the task's held reads (a signal, a config
/// version or an ending was stored), and/or an event for their live streams, already serialized as this node sent it.
/// Only a fast path: the database has the change, and held reads re-read it anyway.
/// </summary>
public sealed record NodeNote(long Pid, bool Wake, string? EventType = null, string? EventData = null, bool Terminal = false);

/// <summary>A batch of notes from one node, oldest first.</summary>
public sealed record NodeNotes(string From, IReadOnlyList<NodeNote> Notes);

/// <summary>The answer of a node asked to end a runner it holds.</summary>
public sealed record NodeKillResult(long Pid, bool Killed);

/// <summary>Another live node, as the nodes table lists it.</summary>
public sealed record Peer(string Name, Uri Url);

/// <summary>What another node answered a relayed action: its status code and, for a problem, its detail.</summary>
public sealed record NodeAnswer(int Status, string? Detail);
