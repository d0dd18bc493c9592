using Bgtask.Api.Launches;
using Bgtask.Core.Contracts;
using Microsoft.Extensions.Options;
using Bgtask.Worker.Sdk;

namespace Bgtask.Api.TaskTypes;

/// <summary>The registered tasks: the only names that can be launched.</summary>
public static class TaskTypeEndpoints
{
    private const string Description =
        "The tasks this service can launch: each one's name and what it does. `POST /api/tasks` accepts only " +
        "these names. Besides the .NET tasks, the executables an operator registered under `Tasks:Commands`.";

    public static IEndpointRouteBuilder MapTaskTypeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/task-types", (TaskCatalog catalog, IOptions<TasksOptions> tasks) =>
                TypedResults.Ok(catalog.Entries.Select(e => new TaskTypeResponse(e.Name, e.Description))
                    .Concat(tasks.Value.Commands.Select(c => new TaskTypeResponse(c.Key, c.Value.Description ?? "")))
                    .OrderBy(t => t.Name, StringComparer.Ordinal).ToList()))
            .WithTags("Task types").WithName("ListTaskTypes").ProducesProblem(401).ProducesProblem(403)
            .WithSummary("List the task types").WithDescription(Description);
        return app;
    }
}
