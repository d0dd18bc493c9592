using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bgtask.Api.Auth;
using Bgtask.Core.Storage;
using Bgtask.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.Auth;

/// <summary>Who may do what: API keys and their roles, the loopback rule, worker tokens, open routes, launch limits.</summary>
// In the serial collection: WebApplicationFactory finds the host it builds through a process-wide listener,
// and another factory building at the same moment can hand this class's log-checking host the other's settings.
[Collection(Bgtask.Tests.Faults.ProcessFaultsCollection.Name)]
public sealed partial class AuthTests(AuthTests.KeyedHost keyed, AuthTests.OpenHost open)
    : IClassFixture<AuthTests.KeyedHost>, IClassFixture<AuthTests.OpenHost>
{
    private const string AdminKey = "admin-key-4f1c2a9b7d";
    private const string ReaderKey = "reader-key-8e3d5c1a0f";
    private const string Loopback = "127.0.0.1";
    private const string Remote = "203.0.113.9";

    /// <summary>Keys configured (an Admin and a Reader); no launch limit.</summary>
    public sealed class KeyedHost : IDisposable
    {
        public BgtaskApiFactory<SqliteTarget> Factory { get; } =
            WithKeys(null, ("ops", AdminKey, "Admin"), ("dashboard", ReaderKey, "Reader"));

        public void Dispose() => Factory.Dispose();
    }

    /// <summary>No keys configured: only loopback clients are let in.</summary>
    public sealed class OpenHost : IDisposable
    {
        public BgtaskApiFactory<SqliteTarget> Factory { get; } = BgtaskApiFactory<SqliteTarget>.With(new Dictionary<string, string?>());

        public void Dispose() => Factory.Dispose();
    }

    // The routes a worker token may call for its own task, by endpoint name (the contract's list).
    private static readonly string[] WorkerRouteNames =
    [
        "GetTask", "GetConfig", "GetSignals", "ClearSignals", "UpdateState",
        "SetStarted", "SetFinished", "SetStopped", "SetError", "WriteLog", "WorkerChannel",
    ];

    [Fact]
    public async Task EveryApiRoute_WithoutKey_Returns401ProblemDetails()
    {
        var factory = keyed.Factory;
        var pid = await CreateRecordAsync(Client(factory, apiKey: AdminKey));
        // Keys are configured, so being on loopback is not enough.
        var client = Client(factory, remote: Loopback);

        var routes = ApiRoutes(factory);
        Assert.True(routes.Count >= 19, $"only {routes.Count} /api routes found");
        foreach (var route in routes)
        {
            using var response = await SendAsync(client, route.Method, route.Url(pid), "{}");
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, route.ToString(), "X-Api-Key");
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task WrongKey_Returns401SayingTheKeyIsNotValid()
    {
        using var response = await Client(keyed.Factory, apiKey: "not-a-key", remote: Loopback).GetAsync("/api/tasks");
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "GET /api/tasks", "not valid");
    }

    [Fact]
    public async Task ReaderKey_CanReadEveryGetRoute()
    {
        var pid = await CreateRecordAsync(Client(keyed.Factory, apiKey: AdminKey));
        var reader = Client(keyed.Factory, apiKey: ReaderKey, remote: Remote);

        string[] reads =
        [
            "/api/tasks", $"/api/tasks/{pid}", $"/api/tasks/{pid}/live", $"/api/tasks/{pid}/signals",
            $"/api/tasks/{pid}/signals?clean=false", $"/api/tasks/{pid}/config", $"/api/tasks/{pid}/log", "/api/task-types",
        ];
        foreach (var url in reads)
        {
            using var response = await reader.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task ReaderKey_EveryWriteRoute_Returns403ProblemDetails()
    {
        var factory = keyed.Factory;
        var pid = await CreateRecordAsync(Client(factory, apiKey: AdminKey));
        var reader = Client(factory, apiKey: ReaderKey, remote: Remote);

        var writes = ApiRoutes(factory).Where(r => r.Method != HttpMethods.Get).ToList();
        Assert.NotEmpty(writes);
        foreach (var route in writes)
        {
            using var response = await SendAsync(reader, route.Method, route.Url(pid), "{}");
            await AssertProblemAsync(response, HttpStatusCode.Forbidden, route.ToString(), "Reader");
        }
    }

    [Theory]
    [InlineData("clean=true")]
    [InlineData("clean=True")]
    [InlineData("wait=0&clean=true")]
    public async Task ReaderKey_ConsumingSignalRead_Returns403AndConsumesNothing(string query)
    {
        var admin = Client(keyed.Factory, apiKey: AdminKey);
        var pid = await CreateRecordAsync(admin);
        (await admin.PostAsJsonAsync($"/api/tasks/{pid}/signals", new { signal = "sleep" })).EnsureSuccessStatusCode();

        using var response = await Client(keyed.Factory, apiKey: ReaderKey).GetAsync($"/api/tasks/{pid}/signals?{query}");
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, query, "Reader");

        var left = await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{pid}/signals");
        Assert.Equal(1, left.GetArrayLength());
    }

    [Fact]
    public async Task AdminKey_MayDoEverything()
    {
        var admin = Client(keyed.Factory, apiKey: AdminKey, remote: Remote);
        var pid = await CreateRecordAsync(admin);
        var parent = await CreateRecordAsync(admin);

        (string Method, string Url, string? Body, HttpStatusCode Expected)[] calls =
        [
            ("GET", "/api/tasks", null, HttpStatusCode.OK),
            ("GET", $"/api/tasks/{pid}", null, HttpStatusCode.OK),
            ("GET", $"/api/tasks/{pid}/live", null, HttpStatusCode.OK),
            ("GET", "/api/task-types", null, HttpStatusCode.OK),
            ("POST", $"/api/tasks/{pid}/signals", """{"signal":"sleep"}""", HttpStatusCode.Created),
            ("GET", $"/api/tasks/{pid}/signals?clean=true", null, HttpStatusCode.OK),
            ("DELETE", $"/api/tasks/{pid}/signals", null, HttpStatusCode.OK),
            ("PUT", $"/api/tasks/{pid}/config", """{"total":3}""", HttpStatusCode.OK),
            ("GET", $"/api/tasks/{pid}/config", null, HttpStatusCode.OK),
            ("PUT", $"/api/tasks/{pid}/state", """{"opTotal":10,"opFinished":1}""", HttpStatusCode.OK),
            ("POST", $"/api/tasks/{pid}/started", null, HttpStatusCode.OK),
            ("POST", $"/api/tasks/{pid}/log", """{"lines":["one"]}""", HttpStatusCode.Accepted),
            ("GET", $"/api/tasks/{pid}/log", null, HttpStatusCode.OK),
            ("POST", $"/api/tasks/{pid}/kill", null, HttpStatusCode.OK),
            ("DELETE", $"/api/tasks/{pid}", null, HttpStatusCode.NoContent),
            ("POST", "/api/tasks/records", $$"""{"description":"child","parent":{{parent}}}""", HttpStatusCode.Created),
            ("POST", "/api/tasks", """{"task":"demo.count","launcher":"inprocess","config":{"total":1,"delayMs":1}}""",
                HttpStatusCode.Accepted),
        ];
        foreach (var (method, url, body, expected) in calls)
        {
            using var response = await SendAsync(admin, method, url, body);
            Assert.True(response.StatusCode == expected,
                $"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public void WorkerRoutes_AreExactlyTheContractsList()
    {
        var marked = Endpoints(keyed.Factory)
            .Where(e => e.Metadata.GetMetadata<WorkerRoute>() is not null)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName)
            .Order()
            .ToList();
        Assert.Equal(WorkerRouteNames.Order(), marked);
    }

    [Fact]
    public async Task WorkerToken_CanUseItsOwnTasksWorkerRoutes()
    {
        var factory = keyed.Factory;
        var admin = Client(factory, apiKey: AdminKey);
        var (pid, token) = await CreateWorkerTaskAsync(factory, admin);
        var (stopping, stoppingToken) = await CreateWorkerTaskAsync(factory, admin);
        var (failing, failingToken) = await CreateWorkerTaskAsync(factory, admin);
        (await admin.PostAsJsonAsync($"/api/tasks/{pid}/signals", new { signal = "sleep" })).EnsureSuccessStatusCode();
        var worker = Client(factory, token: token, remote: Remote);

        (HttpClient Client, string Method, string Url, string? Body, HttpStatusCode Expected)[] calls =
        [
            (worker, "POST", $"/api/tasks/{pid}/started", null, HttpStatusCode.OK),
            (worker, "GET", $"/api/tasks/{pid}", null, HttpStatusCode.OK),
            (worker, "GET", $"/api/tasks/{pid}/config", null, HttpStatusCode.OK),
            (worker, "GET", $"/api/tasks/{pid}/signals", null, HttpStatusCode.OK),
            (worker, "GET", $"/api/tasks/{pid}/signals?clean=true&wait=0", null, HttpStatusCode.OK),
            (worker, "DELETE", $"/api/tasks/{pid}/signals", null, HttpStatusCode.OK),
            (worker, "PUT", $"/api/tasks/{pid}/state", """{"opTotal":10,"opFinished":5,"status":"running"}""", HttpStatusCode.OK),
            (worker, "POST", $"/api/tasks/{pid}/log", """{"lines":["halfway"]}""", HttpStatusCode.Accepted),
            (worker, "POST", $"/api/tasks/{pid}/finished", null, HttpStatusCode.OK),
            (Client(factory, token: stoppingToken), "POST", $"/api/tasks/{stopping}/stopped", """{"message":"asked to"}""",
                HttpStatusCode.OK),
            (Client(factory, token: failingToken), "POST", $"/api/tasks/{failing}/error", null, HttpStatusCode.OK),
        ];
        foreach (var (client, method, url, body, expected) in calls)
        {
            using var response = await SendAsync(client, method, url, body);
            Assert.True(response.StatusCode == expected,
                $"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task WorkerToken_OnAnotherTasksWorkerRoutes_Returns403()
    {
        var factory = keyed.Factory;
        var admin = Client(factory, apiKey: AdminKey);
        var (_, token) = await CreateWorkerTaskAsync(factory, admin);
        var other = await CreateRecordAsync(admin);
        var worker = Client(factory, token: token, remote: Loopback);

        var routes = ApiRoutes(factory).Where(r => r.IsWorkerRoute).ToList();
        Assert.Equal(WorkerRouteNames.Length, routes.Count);
        foreach (var route in routes)
        {
            using var response = await SendAsync(worker, route.Method, route.Url(other), "{}");
            await AssertProblemAsync(response, HttpStatusCode.Forbidden, route.ToString(), "its own task");
        }
    }

    [Fact]
    public async Task WorkerToken_OnEveryOtherRoute_Returns403EvenWithAnAdminKey()
    {
        var factory = keyed.Factory;
        var admin = Client(factory, apiKey: AdminKey);
        var (pid, token) = await CreateWorkerTaskAsync(factory, admin);
        // The token decides: an API key beside it does not widen its scope.
        var worker = Client(factory, token: token, apiKey: AdminKey, remote: Loopback);

        var routes = ApiRoutes(factory).Where(r => !r.IsWorkerRoute).ToList();
        Assert.Contains(routes, r => r.Name == "Launch");
        Assert.Contains(routes, r => r.Name == "Kill");
        Assert.Contains(routes, r => r.Name == "RemoveTask");
        Assert.Contains(routes, r => r.Name == "SetConfig");
        Assert.Contains(routes, r => r.Name == "Signal");
        foreach (var route in routes)
        {
            using var response = await SendAsync(worker, route.Method, route.Url(pid), "{}");
            await AssertProblemAsync(response, HttpStatusCode.Forbidden, route.ToString(), "worker token");
        }
        Assert.Equal("pending", (await admin.GetFromJsonAsync<JsonElement>($"/api/tasks/{pid}")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InvalidBearer_FromLoopback_Returns401(bool keysConfigured)
    {
        var factory = keysConfigured ? keyed.Factory : open.Factory;
        foreach (var token in new[] { "not-a-token", "", new string('x', 5000) })
        {
            var client = Client(factory, remote: Loopback, apiKey: keysConfigured ? AdminKey : null);
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {token}");
            using var response = await client.GetAsync("/api/tasks");
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, $"bearer of {token.Length}", "token is not valid");
        }
    }

    [Fact]
    public async Task WorkerToken_FromLoopbackWithNoKeys_IsHeldToItsScope()
    {
        var factory = open.Factory;
        var (pid, token) = await CreateWorkerTaskAsync(factory, Client(factory, remote: Loopback));
        var worker = Client(factory, token: token, remote: Loopback);

        using var own = await worker.GetAsync($"/api/tasks/{pid}/config");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var kill = await worker.PostAsync($"/api/tasks/{pid}/kill", null);
        await AssertProblemAsync(kill, HttpStatusCode.Forbidden, "kill", "worker token");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task NoKeys_LoopbackClient_IsAdmin(string address)
    {
        var client = Client(open.Factory, remote: address);
        var pid = await CreateRecordAsync(client);
        using var read = await client.GetAsync($"/api/tasks/{pid}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var signal = await client.PostAsJsonAsync($"/api/tasks/{pid}/signals", new { signal = "stop" });
        Assert.Equal(HttpStatusCode.Created, signal.StatusCode);
    }

    [Theory]
    [InlineData("203.0.113.9")]
    [InlineData("10.0.0.8")]
    [InlineData("::ffff:10.0.0.8")]
    [InlineData("2001:db8::1")]
    [InlineData(null)] // TestServer's own default: no address at all (as over a Unix socket) is not loopback
    public async Task NoKeys_RemoteClient_Returns401(string? address)
    {
        // A key means nothing while none is configured.
        using var response = await Client(open.Factory, remote: address ?? CallerAddressFilter.NoAddress, apiKey: AdminKey)
            .GetAsync("/api/tasks");
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, address ?? "no address", "loopback");
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_IsOpenWithoutKey(string url)
    {
        using var response = await Client(keyed.Factory, remote: Remote).GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var withBadToken = Client(keyed.Factory, token: "not-a-token", remote: Remote);
        Assert.Equal(HttpStatusCode.OK, (await withBadToken.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Swagger_IsOpenWithoutKey_AndOffersBothSchemes()
    {
        var client = Client(keyed.Factory, remote: Remote);
        using var ui = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);

        var document = await client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("apiKey", schemes.GetProperty("ApiKey").GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
        Assert.Equal("header", schemes.GetProperty("ApiKey").GetProperty("in").GetString());
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        var launch = document.GetProperty("paths").GetProperty("/api/tasks").GetProperty("post").GetProperty("responses");
        Assert.True(launch.TryGetProperty("401", out _) && launch.TryGetProperty("403", out _));
    }

    [Fact]
    public async Task Launches_AreNotLimitedByDefault()
    {
        var admin = Client(keyed.Factory, apiKey: AdminKey);
        for (var i = 0; i < 5; i++)
        {
            using var response = await admin.PostAsJsonAsync("/api/tasks", new { task = "no.such.task" });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Launches_OverTheLimit_Return429WithRetryAfter_PerKey()
    {
        using var factory = WithKeys(new Dictionary<string, string?> { ["RateLimiting:LaunchesPerMinute"] = "2" },
            ("ops", AdminKey, "Admin"), ("ci", "ci-key-6a2b9c4d1e", "Admin"), ("dashboard", ReaderKey, "Reader"));
        var ops = Client(factory, apiKey: AdminKey);

        // Every launch request counts, whatever its outcome; a request refused by auth spends nothing.
        Assert.Equal(HttpStatusCode.Forbidden, (await LaunchAsync(Client(factory, apiKey: ReaderKey))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await LaunchAsync(ops)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await LaunchAsync(ops)).StatusCode);
        using var limited = await LaunchAsync(ops);
        await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "third launch", "2 launches a minute");
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After: {limited.Headers.RetryAfter}");

        // Other routes and other keys are not limited.
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/api/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await LaunchAsync(Client(factory, apiKey: "ci-key-6a2b9c4d1e"))).StatusCode);
    }

    [Fact]
    public async Task Launches_WithNoKeys_AreLimitedPerAddress()
    {
        using var factory = BgtaskApiFactory<SqliteTarget>.With(new Dictionary<string, string?> { ["RateLimiting:LaunchesPerMinute"] = "1" });
        Assert.Equal(HttpStatusCode.BadRequest, (await LaunchAsync(Client(factory, remote: "127.0.0.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LaunchAsync(Client(factory, remote: "127.0.0.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await LaunchAsync(Client(factory, remote: "::1"))).StatusCode);
    }

    [Theory]
    [InlineData("ops", "k1", "Owner", "Role must be Admin or Reader, not 'Owner'")]
    [InlineData("ops", "", "Admin", "Key is empty")]
    [InlineData("", "k1", "Admin", "Name is empty")]
    [InlineData("ops", " k1", "Admin", "white space")]
    [InlineData("ops", "shared", "Admin", "same Key")]
    [InlineData("dashboard", "k1", "Admin", "same Name")]
    public void BadKeySettings_FailAtStart(string name, string key, string role, string error)
    {
        using var factory = WithKeys(null, (name, key, role), ("dashboard", "shared", "Reader"));
        var e = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(error, e.ToString());
    }

    [Fact]
    public async Task Credentials_AreNeverLogged()
    {
        using var factory = WithKeys(new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
            ["Serilog:WriteTo:0:Args:restrictedToMinimumLevel"] = "Warning",
        }, ("ops", AdminKey, "Admin"));
        var admin = Client(factory, apiKey: AdminKey);
        var (pid, token) = await CreateWorkerTaskAsync(factory, admin);

        await Client(factory, token: token).GetAsync($"/api/tasks/{pid}/config");
        await Client(factory, token: token).GetAsync("/api/tasks");
        await Client(factory, token: token + "x").GetAsync($"/api/tasks/{pid}");
        await Client(factory, apiKey: AdminKey + "x").GetAsync("/api/tasks");

        var log = await WaitForLogAsync(factory, "\"Client\":\"key:ops\"", $"\"Client\":\"worker:{pid}\"", "\"StatusCode\":401");
        Assert.DoesNotContain(token, log);
        Assert.DoesNotContain(AdminKey, log);
    }

    // ---- helpers ----

    /// <summary>A host with these API keys (and log files, for the tests that read them).</summary>
    private static BgtaskApiFactory<SqliteTarget> WithKeys(IReadOnlyDictionary<string, string?>? extra,
        params (string Name, string Key, string Role)[] keys)
    {
        var settings = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>());
        for (var i = 0; i < keys.Length; i++)
        {
            settings[$"Auth:ApiKeys:{i}:Name"] = keys[i].Name;
            settings[$"Auth:ApiKeys:{i}:Key"] = keys[i].Key;
            settings[$"Auth:ApiKeys:{i}:Role"] = keys[i].Role;
        }
        return BgtaskApiFactory<SqliteTarget>.With(settings, logFiles: true);
    }

    private sealed record ApiRoute(string Method, string Pattern, string? Name, bool IsWorkerRoute)
    {
        public string Url(long pid) => RouteParameter().Replace(Pattern, pid.ToString());

        public override string ToString() => $"{Method} {Pattern}";
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    private static List<RouteEndpoint> Endpoints(BgtaskApiFactory<SqliteTarget> factory) =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    /// <summary>Every /api route the service maps, read from routing itself, so a new route is covered as it lands.</summary>
    private static List<ApiRoute> ApiRoutes(BgtaskApiFactory<SqliteTarget> factory) =>
        Endpoints(factory)
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                new ApiRoute(m, e.RoutePattern.RawText!, e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName,
                    e.Metadata.GetMetadata<WorkerRoute>() is not null)))
            .ToList();

    private static HttpClient Client(BgtaskApiFactory<SqliteTarget> factory, string? apiKey = null, string? token = null, string? remote = null)
    {
        var client = factory.CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Add(BgtaskAuth.ApiKeyHeader, apiKey);
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        if (remote is not null) client.DefaultRequestHeaders.Add(CallerAddressFilter.Header, remote);
        return client;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> LaunchAsync(HttpClient client) =>
        client.PostAsJsonAsync("/api/tasks", new { task = "no.such.task" });

    private static async Task<long> CreateRecordAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/tasks/records", new { description = "auth test" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pid").GetInt64();
    }

    /// <summary>A record with a worker token, as a launch would mint it: only the hash is stored.</summary>
    private static async Task<(long Pid, string Token)> CreateWorkerTaskAsync(BgtaskApiFactory<SqliteTarget> factory, HttpClient admin)
    {
        var pid = await CreateRecordAsync(admin);
        var token = WorkerTokens.Mint();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        await db.Tasks.Where(t => t.Id == pid).ExecuteUpdateAsync(s => s.SetProperty(t => t.TokenHash, WorkerTokens.Hash(token)));
        return (pid, token);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string what,
        string detailContains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{what}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()), $"{what}: no type");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), $"{what}: no title");
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
    }

    /// <summary>The log files' text once every marker is in it (request logs are written as the response completes).</summary>
    private static async Task<string> WaitForLogAsync(BgtaskApiFactory<SqliteTarget> factory, params string[] markers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var text = string.Concat(Directory.Exists(factory.LogDirectory)
                ? Directory.GetFiles(factory.LogDirectory).Select(ReadShared)
                : []);
            if (markers.All(text.Contains)) return text;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"The log never showed {string.Join(", ", markers.Where(m => !text.Contains(m)))}.");
            await Task.Delay(50);
        }
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
