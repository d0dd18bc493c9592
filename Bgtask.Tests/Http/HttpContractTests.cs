using System.Net;
using System.Text;
using System.Text.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.Http;

/// <summary>
/// What holds for every route: 404 for an unknown pid, 415 for a non-JSON body, 400 for malformed JSON, 413 for a
/// body over the limit, problem details for every error, optional bodies, health and the Swagger document.
/// </summary>
public abstract class HttpContractTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private const long UnknownPid = 9_000_000_000_000_000;
    private const int OneMiB = 1024 * 1024;

    /// <summary>Every route with a pid, with a body that would be valid, so only the pid can be wrong.</summary>
    public static TheoryData<string, string, string?> PidRoutes => new()
    {
        { "GET", "", null },
        { "DELETE", "", null },
        { "GET", "/live", null },
        { "POST", "/signals", """{"signal":"stop"}""" },
        { "GET", "/signals", null },
        { "GET", "/signals?clean=true&wait=30", null },
        { "DELETE", "/signals", null },
        { "DELETE", "/signals?id=1&id=2", null },
        { "GET", "/config", null },
        { "PUT", "/config", """{"a":1}""" },
        { "PUT", "/state", """{"opTotal":10,"opFinished":1}""" },
        { "POST", "/started", null },
        { "POST", "/finished", null },
        { "POST", "/stopped", null },
        { "POST", "/stopped", """{"message":"why"}""" },
        { "POST", "/error", null },
        { "POST", "/error", """{"message":"why"}""" },
        { "POST", "/kill", null },
        { "POST", "/freeze", null },
        { "POST", "/thaw", null },
        { "POST", "/log", """{"lines":["x"]}""" },
        { "GET", "/log", null },
        { "GET", "/history", null },
        { "GET", "/events", null },
        { "GET", "/channel", null },
    };

    /// <summary>The routes that take a JSON body, with a valid one (pid routes are completed with a live task's pid).</summary>
    public static TheoryData<string, string, string> BodyRoutes => new()
    {
        { "POST", "/api/tasks/records", """{"description":"x"}""" },
        { "POST", "{task}/signals", """{"signal":"stop"}""" },
        { "PUT", "{task}/config", """{"a":1}""" },
        { "PUT", "{task}/state", """{"opTotal":10,"opFinished":1}""" },
        { "POST", "{task}/stopped", """{"message":"why"}""" },
        { "POST", "{task}/error", """{"message":"why"}""" },
        { "POST", "{task}/log", """{"lines":["x"]}""" },
    };

    public static TheoryData<string> OptionalBodyRoutes => ["started", "finished", "stopped", "error", "kill"];

    private async Task<HttpResponseMessage> SendAsync(string method, string path, HttpContent? content)
    {
        if (path.Contains("{task}"))
            path = path.Replace("{task}", Contract.TaskPath((await Client.RecordInStatusAsync(Statuses.Running)).Pid));
        return await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });
    }

    [Theory]
    [MemberData(nameof(PidRoutes))]
    public async Task UnknownPid_Returns404(string method, string route, string? body)
    {
        var response = await Eventually.WithinAsync(
            SendAsync(method, Contract.TaskPath(UnknownPid) + route, body is null ? null : Contract.JsonText(body)),
            "the answer for an unknown pid");
        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains(UnknownPid.ToString(), problem.Detail);
    }

    [Fact]
    public async Task UnknownPid_CoversEveryPidRouteOfTheSwaggerDocument()
    {
        var covered = PidRoutes.Select(row => ((string)row[0], "/api/tasks/{pid}" + ((string)row[1]).Split('?')[0]))
            .ToHashSet();
        var documented = (await SwaggerOperationsAsync()).Where(o => o.Path.Contains("{pid}"));
        Assert.All(documented, o => Assert.Contains(o, covered));
    }

    [Theory]
    [InlineData("/api/tasks/abc")]
    [InlineData("/api/tasks/0")]
    [InlineData("/api/tasks/-1")]
    [InlineData("/api/tasks/99999999999999999999")]
    public async Task NotAPidOfATask_Returns404(string path) =>
        await (await Client.GetAsync(path)).ReadProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task UnknownRoute_Returns404Problem() =>
        await (await Client.GetAsync("/api/nothing-here")).ReadProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task WrongMethod_Returns405Problem()
    {
        var task = await Client.NewRecordAsync();
        await (await Client.PatchAsync(Contract.TaskPath(task.Pid), Contract.JsonText("{}")))
            .ReadProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Theory]
    [MemberData(nameof(BodyRoutes))]
    public async Task NonJsonBody_Returns415(string method, string path, string body)
    {
        var response = await SendAsync(method, path, Contract.Text(body, "text/plain"));
        await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [MemberData(nameof(BodyRoutes))]
    public async Task FormBody_Returns415(string method, string path, string body)
    {
        _ = body;
        var response = await SendAsync(method, path, new FormUrlEncodedContent([new("description", "x")]));
        await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [MemberData(nameof(BodyRoutes))]
    public async Task MalformedJson_Returns400(string method, string path, string body)
    {
        var truncated = body[..^2];
        await (await SendAsync(method, path, Contract.JsonText(truncated))).ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("POST", "/api/tasks/records", """{"description":"x","parent":"one"}""")]
    [InlineData("PUT", "{task}/state", """{"opTotal":"ten","opFinished":1}""")]
    [InlineData("PUT", "{task}/state", """{"opTotal":1.5,"opFinished":1}""")]
    [InlineData("POST", "{task}/signals", """{"signal":3}""")]
    [InlineData("POST", "{task}/log", """{"lines":"just one"}""")]
    [InlineData("POST", "{task}/error", """{"message":{"nested":true}}""")]
    [InlineData("PUT", "{task}/config", null)]
    public async Task JsonOfTheWrongShape_Returns400(string method, string path, string? body) =>
        await (await SendAsync(method, path, Contract.JsonText(body ?? Nested(200))))
            .ReadProblemAsync(HttpStatusCode.BadRequest);

    /// <summary>An object nested <paramref name="depth"/> levels deep.</summary>
    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    [Theory]
    [InlineData("POST", "/api/tasks/records")]
    [InlineData("PUT", "{task}/state")]
    [InlineData("POST", "{task}/signals")]
    [InlineData("POST", "{task}/log")]
    public async Task RequiredBodyMissing_Returns400(string method, string path) =>
        await (await SendAsync(method, path, Contract.JsonText(""))).ReadProblemAsync(HttpStatusCode.BadRequest);

    [Fact]
    public async Task ValidationErrors_NameTheFieldsInCamelCase()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var response = await Client.PutJsonTextAsync($"{Contract.TaskPath(task.Pid)}/state",
            """{"opTotal":-1,"opFinished":-1,"memory":-1,"memoryPeak":-1,"status":"done"}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem.Errors);
        Assert.Equal(["memory", "memoryPeak", "opFinished", "opTotal", "status"], problem.Errors.Keys.Order());
        Assert.All(problem.Errors.Values, messages => Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m))));
    }

    [Theory]
    [MemberData(nameof(OptionalBodyRoutes))]
    public async Task OptionalBodyPost_WithNoBodyAndNoContentType_Returns200(string route)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Contract.TaskPath(task.Pid)}/{route}");
        Assert.Null(request.Content);

        var response = await Client.SendAsync(request);

        await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(OptionalBodyRoutes))]
    public async Task OptionalBodyPost_WithAnEmptyJsonBody_Returns200(string route)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var response = await Client.PostAsync($"{Contract.TaskPath(task.Pid)}/{route}", Contract.JsonText(""));
        await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BodyOver1MiB_WithContentLength_Returns413()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var content = Contract.JsonText(JsonSerializer.Serialize(new { blob = new string('x', OneMiB) }));
        Assert.NotNull(content.Headers.ContentLength);

        var response = await Client.PutAsync($"{Contract.TaskPath(task.Pid)}/config", content);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(1, (await Client.GetConfigAsync(task.Pid)).Version);
    }

    [Fact]
    public async Task BodyOver1MiB_Chunked_Returns413()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var lines = Enumerable.Repeat(new string('x', 8000), 140).ToArray(); // about 1.1 MB, each line within the limit
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Contract.TaskPath(task.Pid)}/log")
        {
            Content = Chunked(JsonSerializer.Serialize(new { lines })),
        };
        request.Headers.TransferEncodingChunked = true;

        var response = await Client.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty((await Client.ReadLogAsync(task.Pid)).Items);
    }

    [Fact]
    public async Task BodyJustUnder1MiB_Chunked_IsAccepted()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var lines = Enumerable.Repeat(new string('x', 8000), 130).ToArray(); // about 1.04 MB, under 1 MiB
        var json = JsonSerializer.Serialize(new { lines });
        Assert.True(Encoding.UTF8.GetByteCount(json) < OneMiB);
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Contract.TaskPath(task.Pid)}/log") { Content = Chunked(json) };
        request.Headers.TransferEncodingChunked = true;

        await (await Client.SendAsync(request)).ShouldBeAsync(HttpStatusCode.Accepted);

        Assert.Equal(130, (await Client.ReadLogAsync(task.Pid, "?limit=1000")).Items.Count);
    }

    [Fact]
    public async Task BodyJustUnder1MiB_WithContentLength_IsAccepted()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var lines = Enumerable.Repeat(new string('y', 8000), 130).ToArray();
        await (await Client.PostLogAsync(task.Pid, lines)).ShouldBeAsync(HttpStatusCode.Accepted);
    }

    /// <summary>JSON content with no length, so it goes out chunked.</summary>
    private static StreamContent Chunked(string json)
    {
        var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        return content;
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_Returns200(string path) =>
        await (await Client.GetAsync(path)).ShouldBeAsync(HttpStatusCode.OK);

    [Fact]
    public async Task SwaggerUi_IsServed()
    {
        var response = await Client.GetAsync("/swagger");
        await response.ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SwaggerDocument_ListsEveryContractRoute()
    {
        (string, string)[] expected =
        [
            ("GET", "/api/tasks"),
            ("POST", "/api/tasks/records"),
            ("GET", "/api/tasks/{pid}"),
            ("DELETE", "/api/tasks/{pid}"),
            ("GET", "/api/tasks/{pid}/live"),
            ("POST", "/api/tasks/{pid}/signals"),
            ("GET", "/api/tasks/{pid}/signals"),
            ("DELETE", "/api/tasks/{pid}/signals"),
            ("GET", "/api/tasks/{pid}/config"),
            ("PUT", "/api/tasks/{pid}/config"),
            ("PUT", "/api/tasks/{pid}/state"),
            ("POST", "/api/tasks/{pid}/started"),
            ("POST", "/api/tasks/{pid}/finished"),
            ("POST", "/api/tasks/{pid}/stopped"),
            ("POST", "/api/tasks/{pid}/error"),
            ("POST", "/api/tasks/{pid}/kill"),
            ("POST", "/api/tasks/{pid}/freeze"),
            ("POST", "/api/tasks/{pid}/thaw"),
            ("POST", "/api/tasks/{pid}/log"),
            ("GET", "/api/tasks/{pid}/log"),
            ("GET", "/api/tasks/{pid}/history"),
        ];
        var documented = await SwaggerOperationsAsync();
        Assert.All(expected, route => Assert.Contains(route, documented));
    }

    [Fact]
    public async Task SwaggerDocument_ListsEveryMappedApiEndpoint()
    {
        var documented = await SwaggerOperationsAsync();
        var mapped = Factory.Services.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(method => (method, Normalize(e.RoutePattern.RawText!))))
            .ToList();
        Assert.NotEmpty(mapped);
        Assert.All(mapped, route => Assert.Contains(route, documented));

        static string Normalize(string pattern) =>
            System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(\w+)(:[^}]*)?\}", "{$1}").TrimEnd('/');
    }

    private async Task<HashSet<(string Method, string Path)>> SwaggerOperationsAsync()
    {
        var response = await Client.GetAsync("/swagger/v1/swagger.json");
        await response.ShouldBeAsync(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (op.Name.ToUpperInvariant(), path.Name.TrimEnd('/'))))
            .ToHashSet();
    }
}

/// <summary>A stream whose length is unknown, so HttpClient cannot send a Content-Length.</summary>
internal sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
{
    public override bool CanSeek => false;
}

public sealed class HttpContractTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : HttpContractTests<SqliteTarget>(api);

public sealed class HttpContractTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : HttpContractTests<MariaDbTarget>(api);

public sealed class HttpContractTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : HttpContractTests<MariaDbMemoryTarget>(api);
