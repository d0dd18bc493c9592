namespace Bgtask.Api.Cluster;

/// <summary>The node-to-node routes and their credential: <c>Authorization: BgtaskNode &lt;Cluster:Secret&gt;</c>.</summary>
public static class NodeCalls
{
    public const string AuthorizationScheme = "BgtaskNode";
    public const string NotesPath = "internal/nodes/notes";
    public static string KillPath(long pid) => $"internal/nodes/tasks/{pid}/kill";
}
