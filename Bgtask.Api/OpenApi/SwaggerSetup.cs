using Microsoft.OpenApi;

namespace Bgtask.Api.OpenApi;

public static class SwaggerSetup
{
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
                Description = "Background tasks as separate worker processes: launch, watch progress and memory, " +
                              "pause, resume, stop, kill, change their config live, read their log.",
            });
            o.SchemaFilter<ExampleSchemaFilter>();
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
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "Bgtask v1");
        });
        return app;
    }
}
