using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace Bgtask.Api.OpenApi;

/// <summary>
/// The document's tags in the order a user reads them (Swagger UI shows its sections in this order), each with
/// what it holds. A tag not listed here sorts last; the tests require every tag in use to be listed.
/// </summary>
public static class ApiTags
{
    public static readonly IReadOnlyList<(string Name, string Description)> InReadingOrder =
    [
        ("Tasks", "Launch a registered task, add a record of a task run elsewhere, list, read, kill and remove tasks."),
        ("Signals", "Ask a running task to sleep, continue or stop (or send a custom signal), and read or clear " +
                    "its pending signals, as its worker does."),
        ("Config", "A task's config: the JSON object it was launched with, replaceable while the task runs."),
        ("Log", "A task's log: the lines its runner wrote, oldest first."),
        ("Task state", "What a task's runner reports (progress, memory, started, finished, stopped, error)."),
        ("Events", "Live changes of the tasks and their new log lines, as server-sent events."),
        ("Task types", "The tasks registered on this service: the only names a launch accepts."),
        ("Nodes", "The service nodes of a cluster and the tasks each runs."),
        ("Health", "Liveness and readiness probes for load balancers and orchestrators; they need no credentials."),
    ];

    /// <summary>The tag's place in <see cref="InReadingOrder"/>; unlisted tags after all listed ones.</summary>
    public static int Rank(string? tag)
    {
        for (var i = 0; i < InReadingOrder.Count; i++)
            if (InReadingOrder[i].Name == tag) return i;
        return InReadingOrder.Count;
    }

    /// <summary>Swashbuckle's action sort key: by tag rank, so the paths follow the tags (a stable sort keeps the map order within a tag).</summary>
    public static string SortKey(ApiDescription api) =>
        Rank(api.ActionDescriptor.EndpointMetadata.OfType<ITagsMetadata>().SelectMany(t => t.Tags).FirstOrDefault())
            .ToString("D2", System.Globalization.CultureInfo.InvariantCulture);

    public static string? DescriptionOf(string tag) => InReadingOrder.FirstOrDefault(t => t.Name == tag).Description;
}
