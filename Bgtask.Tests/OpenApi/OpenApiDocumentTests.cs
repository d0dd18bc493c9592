using System.Text.Json;
using Bgtask.Api.OpenApi;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.OpenApi;

/// <summary>
/// What a reader of Swagger UI gets: every operation explained, the sections in reading order, a server that is
/// right behind a proxy, an example for every body and problem details for every error. (The document does not
/// depend on the storage, so SQLite only.)
/// </summary>
public sealed class OpenApiDocumentTests(BgtaskApiFactory<SqliteTarget> api) : ApiTests<SqliteTarget>(api)
{
    private static readonly string[] ReadingOrder =
        ["Tasks", "Signals", "Config", "Log", "Task state", "Events", "Task types", "Nodes", "Health"];

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [Fact]
    public async Task EveryOperation_HasASummaryAndADescription()
    {
        var operations = Operations(await DocumentAsync()).ToList();
        Assert.NotEmpty(operations);
        Assert.All(operations, o =>
        {
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.Str("summary")), $"{o.Name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.Str("description")), $"{o.Name} has no description");
        });
    }

    [Fact]
    public void TagOrder_IsTheReadingOrder() => Assert.Equal(ReadingOrder, ApiTags.InReadingOrder.Select(t => t.Name));

    [Fact]
    public async Task DocumentTags_AreTheTagsInUse_InReadingOrder_WithDescriptions()
    {
        using var document = await DocumentAsync();
        var used = Operations(document).SelectMany(o => o.Operation.GetProperty("tags").EnumerateArray())
            .Select(t => t.GetString()!).ToHashSet();
        Assert.All(used, tag => Assert.Contains(tag, ReadingOrder));

        var tags = document.RootElement.GetProperty("tags").EnumerateArray().ToList();
        Assert.Equal(ReadingOrder.Where(used.Contains), tags.Select(t => t.Str("name")));
        Assert.All(tags, t => Assert.False(string.IsNullOrWhiteSpace(t.Str("description")), $"tag {t.Str("name")}"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/swagger/v1/swagger.json", "http://127.0.0.1:5000/")]
    [InlineData("https://tools.example/bgtask/swagger/v1/swagger.json", "https://tools.example/bgtask/")]
    public async Task Server_ResolvesAgainstTheDocument_ToTheServiceBase_BehindAnyPrefix(string documentUrl, string apiBase)
    {
        using var document = await DocumentAsync();
        var server = Assert.Single(document.RootElement.GetProperty("servers").EnumerateArray());
        Assert.Equal(new Uri(apiBase), new Uri(new Uri(documentUrl), server.Str("url")));
    }

    [Fact]
    public async Task EveryRequestBody_HasAnExample()
    {
        using var document = await DocumentAsync();
        var bodies = Operations(document)
            .Where(o => o.Operation.TryGetProperty("requestBody", out _))
            .SelectMany(o => o.Operation.GetProperty("requestBody").GetProperty("content").EnumerateObject()
                .Select(media => (o.Name, Media: media.Value)))
            .ToList();
        Assert.NotEmpty(bodies);
        Assert.All(bodies, b => Assert.True(
            b.Media.TryGetProperty("example", out _) || Resolve(document, b.Media.GetProperty("schema")).TryGetProperty("example", out _),
            $"{b.Name}: the request body has no example"));
    }

    [Fact]
    public async Task EveryApiError_IsProblemDetails()
    {
        using var document = await DocumentAsync();
        var errors = Operations(document).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(o => o.Operation.GetProperty("responses").EnumerateObject()
                .Where(r => r.Name[0] is '4' or '5')
                .Select(r => (Name: $"{o.Name} {r.Name}", r.Value)))
            .ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(
            e.Value.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _),
            $"{e.Name} is not application/problem+json"));
    }

    [Theory]
    [InlineData("post", "/api/tasks", new[] { "400", "401", "403", "413", "415", "429", "503" })]
    [InlineData("put", "/api/tasks/{pid}/config", new[] { "400", "401", "403", "404", "409", "412", "413", "415", "503" })]
    [InlineData("delete", "/api/tasks/{pid}", new[] { "401", "403", "404", "409", "503" })]
    [InlineData("post", "/api/tasks/{pid}/kill", new[] { "401", "403", "404", "503" })]
    public async Task Operation_DeclaresTheErrorsItReturns(string method, string path, string[] statuses)
    {
        var declared = await DeclaredErrorsAsync(method, path);
        Assert.All(statuses, status => Assert.Contains(status, declared));
    }

    [Theory]
    [InlineData("post", "/api/tasks/{pid}/kill", "409")] // an ended task: 200, killed false
    [InlineData("post", "/api/tasks/{pid}/started", "400")] // no body, no query
    [InlineData("get", "/api/task-types", "503")] // the catalog, not the database
    public async Task Operation_DoesNotDeclare_AnErrorItNeverReturns(string method, string path, string status) =>
        Assert.DoesNotContain(status, await DeclaredErrorsAsync(method, path));

    [Theory]
    [InlineData("post", "/api/tasks", "Who may call: an Admin key.")]
    [InlineData("get", "/api/tasks", "Who may call: an Admin key; a Reader key.")]
    [InlineData("put", "/api/tasks/{pid}/state", "Who may call: an Admin key; the task's own worker token.")]
    [InlineData("get", "/api/tasks/{pid}/signals",
        "Who may call: an Admin key; a Reader key (not with `clean=true`, which is a write); the task's own worker token.")]
    public async Task Description_SaysWhoMayCall_AsTheAccessRulesDecide(string method, string path, string access)
    {
        using var document = await DocumentAsync();
        var description = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method).Str("description");
        Assert.EndsWith("\n\n" + access, description);
    }

    private async Task<List<string>> DeclaredErrorsAsync(string method, string path)
    {
        using var document = await DocumentAsync();
        return document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method)
            .GetProperty("responses").EnumerateObject().Select(r => r.Name).Where(s => s[0] is '4' or '5').ToList();
    }

    private async Task<JsonDocument> DocumentAsync() =>
        JsonDocument.Parse(await Client.GetStringAsync(SwaggerSetup.DocumentPath));

    private static IEnumerable<(string Name, string Path, JsonElement Operation)> Operations(JsonDocument document) =>
        document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(op => Methods.Contains(op.Name))
                .Select(op => ($"{op.Name.ToUpperInvariant()} {path.Name}", path.Name, op.Value)));

    /// <summary>The schema itself, or the component its <c>$ref</c> names.</summary>
    private static JsonElement Resolve(JsonDocument document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.RootElement.GetProperty("components").GetProperty("schemas")
                .GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;
}

internal static class JsonElementText
{
    public static string? Str(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
