using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bgtask.Api.Auth;

/// <summary>
/// Ends each operation's description with who may call it, read from the same endpoint metadata that
/// <see cref="AccessHandler"/> judges by, so the document cannot drift from the rule.
/// </summary>
public sealed class AccessOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any()) return;

        List<string> who = ["an Admin key"];
        if (HttpMethods.IsGet(context.ApiDescription.HttpMethod ?? ""))
            who.Add(metadata.OfType<ConsumingRead>().FirstOrDefault() is { } consuming
                ? $"a Reader key (not with `{consuming.Flag}=true`, which is a write)"
                : "a Reader key");
        if (metadata.OfType<WorkerRoute>().Any()) who.Add("the task's own worker token");

        var access = $"Who may call: {string.Join("; ", who)}.";
        operation.Description = operation.Description is { Length: > 0 } text ? $"{text}\n\n{access}" : access;
    }
}
