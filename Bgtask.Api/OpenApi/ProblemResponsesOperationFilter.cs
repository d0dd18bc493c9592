using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bgtask.Api.OpenApi;

/// <summary>
/// The errors every JSON body can meet before its route runs (413 over the size limit, 415 not JSON: the body
/// limit middleware and the framework answer them), a description of each error status that says what it means
/// here, the Retry-After header of 429 and 503, and the responses in status order.
/// </summary>
public sealed class ProblemResponsesOperationFilter : IOperationFilter
{
    private static readonly Dictionary<string, string> Meanings = new()
    {
        ["400"] = "Invalid input: the problem details say what is wrong; for fields, `errors` names each one.",
        ["401"] = "No credential, or an unknown one.",
        ["403"] = "The credential may not do this (a Reader key on a write, a worker token on another task or route).",
        ["404"] = "There is no task with this pid.",
        ["409"] = "Not allowed now (the description says when); the problem's `detail` says why.",
        ["412"] = "`If-Match` names a version other than the current one.",
        ["413"] = "The body is over the size limit (1 MiB by default).",
        ["415"] = "The body is not JSON (send `Content-Type: application/json`).",
        ["429"] = "Too many launches from this client: try again after `Retry-After` seconds.",
        ["503"] = "The database cannot be reached: try again after `Retry-After` seconds.",
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        operation.Responses ??= new OpenApiResponses();
        if (operation.RequestBody is not null)
        {
            foreach (var status in (string[])["413", "415"])
            {
                if (operation.Responses.ContainsKey(status)) continue;
                operation.Responses[status] = new OpenApiResponse
                {
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new()
                        {
                            Schema = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository),
                        },
                    },
                };
            }
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete || !Meanings.TryGetValue(status, out var meaning)) continue;
            // Only the framework's reason phrase is replaced: a route's own words stay.
            if (concrete.Description is null || concrete.Description == ReasonPhrases.GetReasonPhrase(int.Parse(status)))
                concrete.Description = meaning;
            if (status is "429" or "503")
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                };
            }
        }

        var sorted = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in sorted) operation.Responses[status] = response;
    }
}
