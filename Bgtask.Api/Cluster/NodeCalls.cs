namespace Bgtask.Api.Cluster;

/// <summary>The node-to-node routes and their credential: <c>Authorization: BgtaskNode &lt;Cluster:Secret&gt;</c>.</summary>
public static class NodeCalls
{
    public const string AuthorizationScheme = "BgtaskNode";
    public const string NotesPath = "internal/nodes/notes";
    /// <summary>The whole kill of a task (mark, then end the runner), done by the node that runs it.</summary>
    public static string KillPath(long pid) => $"internal/nodes/tasks/{pid}/kill";
    /// <summary>Only the end of the runner, for a task already marked ended (time limit, silence).</summary>
    public static string RunnerKillPath(long pid) => $"internal/nodes/tasks/{pid}/runner/kill";
    public static string FreezePath(long pid) => $"internal/nodes/tasks/{pid}/freeze";
    public static string ThawPath(long pid) => $"internal/nodes/tasks/{pid}/thaw";
}
