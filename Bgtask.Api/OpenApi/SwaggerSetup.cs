using Bgtask.Api.Health;
using Microsoft.OpenApi;

namespace Bgtask.Api.OpenApi;

public static class SwaggerSetup
{
    public const string DocumentPath = "/swagger/v1/swagger.json";

    private static bool Enabled(IConfiguration configuration) => configuration.GetValue("Swagger:Enabled", true);

    public static IHostApplicationBuilder AddBgtaskSwagger(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Bgtask",
                Version = "v1",
                Description = """
                    Background tasks as separate worker processes: launch, watch progress and memory, pause, resume,
                    stop, kill, change their config live, read their log.

                    Clients send `X-Api-Key` (an Admin key may do everything, a Reader key only read); a task's worker
                    sends its own token as `Authorization: Bearer`. With no keys configured, only loopback clients are
                    let in. Every error is `application/problem+json` (RFC 9457); a validation error's `errors` names
                    each field. Times are ISO-8601 UTC; enums are lowercase strings.
                    """,
            });
            // Relative to the document (/swagger/v1/swagger.json), as OpenAPI resolves it: the service's own base,
            // right behind a proxy on any host, scheme or path prefix, where the request's own URL may not be.
            o.AddServer(new OpenApiServer { Url = "../..", Description = "This service" });
            o.OrderActionsBy(ApiTags.SortKey);
            o.SchemaFilter<ExampleSchemaFilter>();
            o.OperationFilter<ProblemResponsesOperationFilter>();
            // Paths first, then the tags they use.
            o.DocumentFilter<HealthOpenApi>();
            o.DocumentFilter<TagOrderDocumentFilter>();
            o.SupportNonNullableReferenceTypes();
        });
        return builder;
    }

    /// <summary>Swagger UI at /swagger and the document at /swagger/v1/swagger.json, unless Swagger:Enabled is false.</summary>
    public static WebApplication UseBgtaskSwagger(this WebApplication app)
    {
        if (!Enabled(app.Configuration)) return app;
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.DocumentTitle = "Bgtask API";
            // Relative to the UI's page (/swagger/index.html), so a path prefix added by a proxy is kept.
            o.SwaggerEndpoint("v1/swagger.json", "Bgtask v1");
        });
        return app;
    }
}
