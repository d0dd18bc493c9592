using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Bgtask.Api.Auth;
using Bgtask.Api.Limits;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Bgtask.Api.Configs;

/// <summary>A task's config: read, and replace (a new version) with optional If-Match.</summary>
public static class ConfigEndpoints
{
    public static IEndpointRouteBuilder MapConfigEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks/{pid:long}/config").WithTags("Config")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        group.MapGet("/", Get).WithName("GetConfig").AllowWorker()
            .WithSummary("Read a task's config").WithDescription(ConfigDocs.Get);
        group.MapPut("/", Put).WithName("SetConfig").ProducesProblem(409).ProducesProblem(412)
            .ProducesValidationProblem().WithSummary("Replace a task's config").WithDescription(ConfigDocs.Put);
        return app;
    }

    private static async Task<Results<Ok<ConfigResponse>, ProblemHttpResult>> Get(long pid, HttpContext http,
        BgtaskDbContext db, CancellationToken ct)
    {
        var result = await db.GetConfigAsync(pid, ct);
        if (result.Outcome == ConfigOutcome.NotFound) return Problem.TaskNotFound(pid);
        http.Response.Headers.ETag = ETag(result.Version);
        return TypedResults.Ok(new ConfigResponse(pid, result.Version, Parse(result.Json!)));
    }

    private static async Task<Results<Ok<ConfigResponse>, ProblemHttpResult, ValidationProblem>> Put(long pid,
        JsonElement config, HttpContext http, BgtaskDbContext db, TaskNotifier changes, IOptions<ApiLimits> limits,
        TimeProvider time, CancellationToken ct)
    {
        if (config.ValueKind != JsonValueKind.Object)
            return Problem.Invalid("config", "The config is a JSON object.");
        // The JSON reader does not check the UTF-8 inside strings; text that is not UTF-8 cannot be stored.
        var raw = JsonMarshal.GetRawUtf8Value(config);
        if (!Utf8.IsValid(raw))
            return Problem.Invalid("config", "The config is not valid UTF-8.");
        var max = limits.Value.MaxConfigBytes;
        if (raw.Length > max)
            return Problem.Invalid("config", $"The config is over the limit of {max} bytes of JSON.");
        // An If-Match naming no version matches none (versions start at 1), after the 404 and 409 checks.
        if (!TryReadIfMatch(http.Request, out var expected)) expected = 0;

        var result = await db.PutConfigAsync(pid, config, expected, time.GetUtcNow().UtcDateTime, ct);
        switch (result.Outcome)
        {
            case ConfigOutcome.NotFound: return Problem.TaskNotFound(pid);
            case ConfigOutcome.Conflict: return Problem.Conflict($"Task {pid} has ended; its config can be read, not replaced.");
            case ConfigOutcome.PreconditionFailed: return Problem.PreconditionFailed(result.Version);
        }
        changes.ConfigChanged(pid, result.Version);
        http.Response.Headers.ETag = ETag(result.Version);
        return TypedResults.Ok(new ConfigResponse(pid, result.Version, config));
    }

    private static string ETag(int version) => $"\"{version}\"";

    private static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    /// <summary>No If-Match or <c>*</c>: any version. Otherwise the first version named; none readable fails.</summary>
    private static bool TryReadIfMatch(HttpRequest request, out int? expected)
    {
        expected = null;
        var header = request.Headers.IfMatch;
        if (header.Count == 0) return true;
        if (!EntityTagHeaderValue.TryParseList(header, out var tags) || tags.Count == 0) return false;
        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any))) return true;
        foreach (var tag in tags)
        {
            if (int.TryParse(tag.Tag.AsSpan().Trim('"'), out var version))
            {
                expected = version;
                return true;
            }
        }
        return false;
    }
}
