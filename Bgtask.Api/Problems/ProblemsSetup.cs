using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;

namespace Bgtask.Api.Problems;

public static class ProblemsSetup
{
    public static IHostApplicationBuilder AddBgtaskProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            // Errors the framework answers on its own (no route, wrong method) get a detail too.
            var request = c.HttpContext.Request;
            c.ProblemDetails.Detail ??= c.ProblemDetails.Status switch
            {
                404 => $"Nothing at {request.Method} {request.Path}.",
                405 => $"{request.Method} is not allowed on {request.Path}.",
                415 => "The body must be JSON, sent with Content-Type: application/json.",
                _ => c.ProblemDetails.Title,
            };
        });
        AnyAcceptProblemDetailsService.Decorate(builder.Services);
        builder.Services.AddExceptionHandler<BgtaskExceptionHandler>();
        // Bad requests are thrown as BadHttpRequestException so the handler above can say what was wrong.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            o.SerializerOptions.MaxDepth = 64;
        });
        return builder;
    }
}
