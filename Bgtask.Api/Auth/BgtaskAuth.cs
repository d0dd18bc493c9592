namespace Bgtask.Api.Auth;

/// <summary>The names the auth pieces share: one scheme, its headers, four roles and two claims.</summary>
public static class BgtaskAuth
{
    public const string Scheme = "Bgtask";
    public const string ApiKeyHeader = "X-Api-Key";

    public const string AdminRole = "Admin";
    public const string ReaderRole = "Reader";
    /// <summary>Not configurable: the role of a worker token, good only for its own task.</summary>
    public const string WorkerRole = "Worker";
    /// <summary>Not configurable: another node of the cluster (the cluster secret), good only for the node-to-node routes.</summary>
    public const string NodeRole = "Node";

    /// <summary>The name of the API key a request came with (the rate limiter's partition).</summary>
    public const string KeyNameClaim = "bgtask:key";
    /// <summary>The pid a worker token belongs to.</summary>
    public const string PidClaim = "bgtask:pid";
}
