using Bgtask.Core.Storage;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Cluster;

/// <summary>
/// Cluster mode on storage that cannot hold a cluster fails at start and says why: SQLite is one file on one host,
/// and Galera does not replicate MEMORY tables (each node would see tasks of its own).
/// </summary>
public sealed class ClusterOptionsValidator(IOptions<StorageOptions> storage) : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        if (storage.Value.Provider != StorageProvider.MySql)
            errors.Add($"Cluster mode (Cluster:Secret is set) needs Storage:Provider=MySql on a database all nodes share; " +
                       $"Storage:Provider is {storage.Value.Provider}, which no other node can reach.");
        else if (storage.Value.MySql.Engine == MySqlEngine.MEMORY)
            errors.Add("Cluster mode (Cluster:Secret is set) needs Storage:MySql:Engine=InnoDB: MEMORY tables are not " +
                       "replicated by Galera (nor by group replication), so each node would see only its own tasks.");
        if (options.NodeUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            errors.Add("Cluster mode (Cluster:Secret is set) needs Cluster:NodeUrl, the absolute http(s) URL where the " +
                       "other nodes reach this one.");
        if (options.Secret is { Length: < 16 })
            errors.Add("Cluster:Secret must be at least 16 characters: it admits node-to-node calls.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
