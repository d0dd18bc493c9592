using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bgtask.Api.Auth;

/// <summary>Both credentials as security schemes, so Swagger UI's Authorize button can send either.</summary>
public static class AuthOpenApi
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public static void Configure(SwaggerGenOptions o)
    {
        o.OperationFilter<AccessOperationFilter>();
        o.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = BgtaskAuth.ApiKeyHeader,
            Description = "An API key from Auth:ApiKeys. Admin may do everything; Reader may only read " +
                          "(GET, but not signals?clean=true). With no keys configured, only loopback clients are let in.",
        });
        o.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A worker's token (BGTASK_TOKEN), good only for its own task's worker routes.",
        });
        // Two requirements: either credential (one requirement naming both would mean both at once).
        o.AddSecurityRequirement(document => new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [],
        });
        o.AddSecurityRequirement(document => new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [],
        });
    }
}
