namespace Bgtask.Api.Nodes;

/// <summary>What the Swagger document says about the service nodes, from the contract.</summary>
public static class NodeDocs
{
    public const string List = """
        The service nodes, by name: each one's `url` (where the other nodes reach it, `Cluster:NodeUrl`), when it
        started, its last heartbeat, whether it is `live` (its lease is current and it did not stop), how many tasks
        it is `running` (its process and in-process runners) and its `slots` (`Tasks:MaxRunning`). On a single node
        (no `Cluster:Secret`) the list is this node alone. In a cluster a node that died stays listed, not live; its
        name can be taken again once its lease (`Cluster:Lease`) has run out.
        """;
}
