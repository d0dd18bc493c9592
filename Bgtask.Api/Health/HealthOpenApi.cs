using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bgtask.Api.Health;

/// <summary>
/// The probes in the document. Health-check endpoints carry no handler for the API explorer to describe, so they
/// are described here, beside <see cref="HealthSetup"/> that maps them.
/// </summary>
public sealed class HealthOpenApi : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Paths[HealthSetup.LivePath] = Probe(document, "Liveness",
            "Is the process up", "Answers 200 `Healthy` while the service runs; it checks nothing else, so a " +
            "restart is warranted only when this fails. Needs no credentials.", withUnhealthy: false);
        document.Paths[HealthSetup.ReadyPath] = Probe(document, "Readiness",
            "Can it serve requests", "Answers 200 `Healthy` when the database answers, and 503 `Unhealthy` while it " +
            "does not (route traffic elsewhere until it recovers). Needs no credentials.", withUnhealthy: true);
    }

    private static OpenApiPathItem Probe(OpenApiDocument document, string operationId, string summary,
        string description, bool withUnhealthy)
    {
        var responses = new OpenApiResponses { ["200"] = Text("Healthy.", "Healthy") };
        if (withUnhealthy) responses["503"] = Text("Unhealthy: the database does not answer.", "Unhealthy");
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Tags = new HashSet<OpenApiTagReference> { new("Health", document) },
                    OperationId = operationId,
                    Summary = summary,
                    Description = description,
                    Security = [], // open to all: probes carry no credentials
                    Responses = responses,
                },
            },
        };
    }

    private static OpenApiResponse Text(string description, string example) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = JsonValue.Create(example) },
        },
    };
}
