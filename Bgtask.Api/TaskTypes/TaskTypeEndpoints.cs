using Bgtask.Core.Contracts;
using Bgtask.Worker.Sdk;

namespace Bgtask.Api.TaskTypes;

/// <summary>The registered tasks: the only names that can be launched.</summary>
public static class TaskTypeEndpoints
{
    private const string Description =
        "The tasks this service can launch: each one's name and what it does. `POST /api/tasks` accepts only " +
        "these names.";

    public static IEndpointRouteBuilder MapTaskTypeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/task-types", (TaskCatalog catalog) =>
                TypedResults.Ok(catalog.Entries.Select(e => new TaskTypeResponse(e.Name, e.Description)).ToList()))
            .WithTags("Task types").WithName("ListTaskTypes").ProducesProblem(401).ProducesProblem(403)
            .WithSummary("List the task types").WithDescription(Description);
        return app;
    }
}
