using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Bgtask.Tests.Faults;

/// <summary>In memory on SQLite; a launch that passes validation must not start anything (no worker at that path).</summary>
public sealed class FuzzApiFactory : BgtaskApiFactory<SqliteTarget>
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("Worker:Path", "/nonexistent/bgtask-fuzz-worker"),
    ];
}

/// <summary>
/// Thousands of malformed and hostile requests (seeded, so every run sends the same ones) to every route: wrong
/// types, huge numbers, deep JSON, invalid UTF-8, odd content types and encodings, wrong methods, path tricks, huge
/// headers, bad If-Match and query values. None may get a 5xx; every 4xx is problem details; the service stays ready.
/// </summary>
public sealed class FuzzTests(FuzzApiFactory api, ITestOutputHelper output) : IClassFixture<FuzzApiFactory>
{
    private const int Seed = 20261127;
    private const int RequestCount = 4000;
    private const int Concurrency = 4;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO"];

    /// <summary>Every route: method and path, <c>{pid}</c> standing for the pid segment, and whether it takes JSON.</summary>
    private static readonly (string Method, string Path, BodyKind Body)[] Routes =
    [
        ("POST", "/api/tasks", BodyKind.Launch),
        ("POST", "/api/tasks/records", BodyKind.Record),
        ("GET", "/api/tasks", BodyKind.None),
        ("GET", "/api/tasks/{pid}", BodyKind.None),
        ("DELETE", "/api/tasks/{pid}", BodyKind.None),
        ("GET", "/api/tasks/{pid}/live", BodyKind.None),
        ("POST", "/api/tasks/{pid}/signals", BodyKind.Signal),
        ("GET", "/api/tasks/{pid}/signals", BodyKind.None),
        ("DELETE", "/api/tasks/{pid}/signals", BodyKind.None),
        ("GET", "/api/tasks/{pid}/config", BodyKind.None),
        ("PUT", "/api/tasks/{pid}/config", BodyKind.Config),
        ("PUT", "/api/tasks/{pid}/state", BodyKind.State),
        ("POST", "/api/tasks/{pid}/started", BodyKind.None),
        ("POST", "/api/tasks/{pid}/finished", BodyKind.None),
        ("POST", "/api/tasks/{pid}/stopped", BodyKind.Message),
        ("POST", "/api/tasks/{pid}/error", BodyKind.Message),
        ("POST", "/api/tasks/{pid}/kill", BodyKind.None),
        ("POST", "/api/tasks/{pid}/log", BodyKind.Log),
        ("GET", "/api/tasks/{pid}/log", BodyKind.None),
        ("GET", "/api/tasks/{pid}/history", BodyKind.None),
        ("GET", "/api/task-types", BodyKind.None),
        ("GET", "/api/tasks/events", BodyKind.None),
        ("GET", "/health/live", BodyKind.None),
    ];

    private static readonly string[] BadPids =
    [
        "-1", "0", "99999999999999999999", "9223372036854775807", "9223372036854775808", "..%2f", "%2e%2e", "abc",
        "1.5", "1e3", "+1", "0x1F", " 1", "1%20", "%EF%BC%99", "１", "NaN", "-0", "00000000000000000000001", "%ff%fe",
        "null", "{pid}", "%7B%7D", new string('9', 5000), "1;2", "1,2", "%0a1",
    ];

    private static readonly string[] QueryKeys = ["wait", "clean", "limit", "after", "status", "task", "parent", "id"];

    private static readonly string[] QueryValues =
    [
        "NaN", "Infinity", "-Infinity", "1e9", "1e309", "-1", "61", "abc", "", "0x10", "1,5", "%", "%zz", "true", "TRUE",
        "maybe", "99999999999999999999", "-9223372036854775809", "0", "0.001", "500", "501", "1000", "1001",
        "pending,bogus", "running,,", "%0a", "[]", "{}", new string('x', 3000), "%E2%82%AC", "%C3%28",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "text/plain", "application/xml",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/problem+json",
        "application/json; charset=utf-16", "application/json; charset=bogus", "*/*", "application/json;;",
        "application/vnd.api+json", "text/json", "application/octet-stream", "json",
    ];

    private static readonly string[] Encodings = ["gzip", "br", "deflate", "identity", "bogus", "gzip, gzip"];

    private static readonly string[] IfMatches =
    [
        "\"1\"", "W/\"1\"", "*", "\"abc\"", "abc", "\"\"", "\"99999999999999999999\"", "\"-1\"", "*, \"1\"", "\"1\", \"2\"",
        ",,,", "\"", new string('"', 100), "\"2147483648\"", "W/", "\"1\"\"2\"",
    ];

    private enum BodyKind { None, Launch, Record, Signal, Config, State, Message, Log }

    [Fact]
    public async Task ThousandsOfHostileRequests_NoServerErrorEveryClientErrorIsProblemDetails_StillReady()
    {
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        var pids = await SeedTasksAsync(client);
        var random = new Random(Seed);
        var requests = Enumerable.Range(0, RequestCount).Select(_ => Generate(random, pids)).ToList();

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                var request = requests[i];
                using var message = request.ToMessage();
                // Headers first: an event stream that was let through stays open, and its body is not read.
                using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
                var code = (int)response.StatusCode;
                statuses.AddOrUpdate(code, 1, (_, n) => n + 1);
                var problem = await CheckAsync(response, request);
                if (problem is not null) failures.Enqueue($"#{i} {request}: {problem}");
            }
        }));

        output.WriteLine($"{requests.Count} fuzzed requests sent (seed {Seed}); statuses: " +
                         string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers, the first ones:\n" + string.Join("\n", failures.Take(15)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    // What the fuzzer found, pinned down one by one.

    [Theory]
    [InlineData("PUT", "/config", "")]
    [InlineData("POST", "", """{"task":"demo.count","config":""")]
    public async Task ConfigWithInvalidUtf8InAString_Returns400(string method, string route, string prefix)
    {
        var client = api.CreateClient();
        var task = await client.NewRecordAsync();
        var path = route == "" ? "/api/tasks" : $"{Contract.TaskPath(task.Pid)}{route}";
        byte[] body = [.. Encoding.UTF8.GetBytes(prefix + """{"d":" """), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\"}" + (prefix == "" ? "" : "}"))];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });

        await response.ReadValidationProblemAsync("config");
    }

    [Fact]
    public async Task JsonBodyInAnUnknownCharset_Returns415()
    {
        var client = api.CreateClient();
        var task = await client.RecordInStatusAsync(Statuses.Running);
        var content = new StringContent("""{"opTotal":10,"opFinished":1}""");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=bogus");

        var response = await client.PutAsync($"{Contract.TaskPath(task.Pid)}/state", content);

        await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("PATCH", "/api/tasks", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/api/tasks?limit=abc", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/tasks/1/signals?wait=NaN", HttpStatusCode.BadRequest)]
    public async Task ErrorWithAnAcceptHeaderNamingNoJson_IsStillProblemJson(string method, string path, HttpStatusCode status)
    {
        var client = api.CreateClient();
        await client.NewRecordAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Accept.ParseAdd("text/html");

        await (await client.SendAsync(request)).ReadProblemAsync(status);
    }

    private static async Task<string?> CheckAsync(HttpResponseMessage response, FuzzRequest request)
    {
        var code = (int)response.StatusCode;
        if (code < 400 && response.Content.Headers.ContentType?.MediaType == "text/event-stream") return null;
        var body = await response.Content.ReadAsStringAsync();
        if (code >= 500) return $"{code}: {Cut(body)}";
        if (code < 400 || request.Method == "HEAD") return null;
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            return $"{code} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {Cut(body)}";
        try
        {
            using var json = JsonDocument.Parse(body);
            if (!json.RootElement.TryGetProperty("status", out var status) || status.GetInt32() != code)
                return $"{code} with a problem whose status is not {code}: {Cut(body)}";
            return json.RootElement.TryGetProperty("title", out _) ? null : $"{code} with a problem without a title";
        }
        catch (JsonException e)
        {
            return $"{code} with a body that is not JSON ({e.Message}): {Cut(body)}";
        }
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>Tasks in every status for the fuzzer to aim at; the runnable ones are records, which nothing runs.</summary>
    private static async Task<long[]> SeedTasksAsync(HttpClient client)
    {
        var pids = new List<long>();
        foreach (var status in new[] { Statuses.Pending, Statuses.Running, Statuses.Sleeping, Statuses.Finished,
                     Statuses.Stopped, Statuses.Error })
            for (var i = 0; i < 2; i++)
                pids.Add((await client.RecordInStatusAsync(status)).Pid);
        return [.. pids];
    }

    private static FuzzRequest Generate(Random random, long[] pids)
    {
        var (method, template, kind) = Routes[random.Next(Routes.Length)];
        var pid = random.Next(3) == 0 ? Pick(random, BadPids) : pids[random.Next(pids.Length)].ToString();
        var path = template.Replace("{pid}", pid);
        var request = new FuzzRequest { Method = method, Path = path };

        // Wrong methods, path tricks, queries.
        if (random.Next(8) == 0) request.Method = Pick(random, Methods);
        if (random.Next(10) == 0) request.Path = PathTrick(random, path);
        if (random.Next(3) == 0 || template.EndsWith("/signals", StringComparison.Ordinal))
            request.Path += Query(random, template);

        // Bodies: mostly hostile JSON for the routes that take it; sometimes a body where none belongs.
        if (kind != BodyKind.None || random.Next(6) == 0)
        {
            request.Body = Body(random, kind);
            request.ContentType = random.Next(4) == 0 ? Pick(random, ContentTypes) : "application/json";
            if (random.Next(15) == 0) request.Headers.Add(("Content-Encoding", Pick(random, Encodings)));
        }

        // Headers.
        if (template.EndsWith("/config", StringComparison.Ordinal) && random.Next(2) == 0)
            request.Headers.Add(("If-Match", Pick(random, IfMatches)));
        if (random.Next(25) == 0) request.Headers.Add(("X-Fuzz", new string('h', random.Next(8_000, 64_000))));
        if (random.Next(20) == 0) request.Headers.Add(("Accept", Pick(random, ["application/xml", "text/html", "*/*;q=abc", "", "application/json;q=0"])));
        if (random.Next(20) == 0) request.Headers.Add(("X-Api-Key", Pick(random, ["", "x", new string('k', 5000), "ünï"])));
        if (random.Next(20) == 0) request.Headers.Add(("Authorization", Pick(random, ["Bearer", "Bearer x", "Basic !!!", "Bearer " + new string('t', 4000)])));
        if (random.Next(30) == 0) request.Headers.Add(("Last-Event-ID", Pick(random, ["-1", "abc", "99999999999999999999"])));
        return request;
    }

    private static string PathTrick(Random random, string path) => random.Next(9) switch
    {
        0 => path + "/",
        1 => path + "/extra/segments",
        2 => path.ToUpperInvariant(),
        3 => path.Replace("/api/", "//api//"),
        4 => path + "/..%2f..%2fetc%2fpasswd",
        5 => "/api/tasks/" + new string('a', random.Next(2_000, 12_000)),
        6 => path + "%0a%0d",
        7 => path + "/%2e%2e/%2e%2e/health/ready",
        _ => path.Replace("tasks", "t%61sks"),
    };

    private static string Query(Random random, string template)
    {
        var parts = new List<string>();
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var key = Pick(random, QueryKeys);
            // A held read of a live task would wait: a wait value that is valid is kept at most a millisecond.
            var value = Pick(random, QueryValues);
            if (key == "wait" && double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var w) &&
                w is > 0.001 and <= 60)
                value = "0";
            parts.Add($"{key}={value}");
        }
        // A signals read never waits unless the fuzzer says so, and then only with a value above.
        if (template.EndsWith("/signals", StringComparison.Ordinal) && !parts.Any(p => p.StartsWith("wait=", StringComparison.Ordinal)))
            parts.Add("wait=0");
        return "?" + string.Join('&', parts);
    }

    private static byte[] Body(Random random, BodyKind kind)
    {
        switch (random.Next(14))
        {
            case 0: return [];
            case 1: return Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000));
            case 2: return Encoding.UTF8.GetBytes("{\"a\":" + new string('{', 5_000) + new string('}', 5_000) + "}");
            case 3: return [0x7B, 0x22, 0x64, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D]; // {"d":"<invalid UTF-8>"}
            case 4: return [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Valid(random, kind))]; // a BOM
            case 5: return Encoding.Unicode.GetBytes(Valid(random, kind)); // UTF-16
            case 6:
            {
                var valid = Valid(random, kind);
                return Encoding.UTF8.GetBytes(valid[..random.Next(Math.Max(1, valid.Length))]); // cut short
            }
            case 7: return Encoding.UTF8.GetBytes(Pick(random, ["null", "true", "0", "\"x\"", "[]", "{}", "1e999", "-", "{\"a\":1,}", "{'a':1}", "{\"a\" 1}", "\"\\ud800\""]));
            case 8: return Encoding.UTF8.GetBytes("{\"message\":\"" + new string('m', random.Next(1, 3) * 1024 * 1024) + "\"}"); // over 1 MiB
            case 9:
            {
                var bytes = new byte[random.Next(1, 2_000)];
                random.NextBytes(bytes);
                return bytes;
            }
            default: return Encoding.UTF8.GetBytes(Mutated(random, kind));
        }
    }

    /// <summary>A body the route would accept (before mutation).</summary>
    private static string Valid(Random random, BodyKind kind) => kind switch
    {
        BodyKind.Launch => $$"""{"task":"{{Pick(random, ["demo.count", "demo.fail", "demo.busy"])}}","config":{"total":1,"delayMs":0},"description":"fuzz"}""",
        BodyKind.Record => """{"description":"fuzz","task":"fuzz.task"}""",
        BodyKind.Signal => """{"signal":"custom.fuzz"}""",
        BodyKind.Config => """{"total":5,"delayMs":10}""",
        BodyKind.State => """{"opTotal":10,"opFinished":1,"status":"running","memory":1,"memoryPeak":2}""",
        BodyKind.Message => """{"message":"fuzz"}""",
        BodyKind.Log => """{"lines":["a","b"]}""",
        _ => "{}",
    };

    /// <summary>The route's fields with hostile values: wrong types, huge or odd numbers, long strings, extra fields.</summary>
    private static string Mutated(Random random, BodyKind kind)
    {
        string[] fields = kind switch
        {
            BodyKind.Launch => ["task", "launcher", "description", "parent", "config", "timeoutSeconds"],
            BodyKind.Record => ["description", "task", "parent"],
            BodyKind.Signal => ["signal"],
            BodyKind.State => ["opTotal", "opFinished", "status", "memory", "memoryPeak"],
            BodyKind.Message => ["message"],
            BodyKind.Log => ["lines"],
            _ => ["a", "total", "delayMs", "", "__proto__"],
        };
        var parts = new List<string>();
        foreach (var field in fields)
            if (random.Next(4) != 0)
                parts.Add($"\"{field}\":{HostileValue(random, kind, field)}");
        if (random.Next(5) == 0) parts.Add($"\"{Pick(random, ["extra", "Task", "TASK", "pid", "status"])}\":{HostileValue(random, kind, "x")}");
        if (random.Next(8) == 0 && parts.Count > 0) parts.Add(parts[0]); // a duplicate key
        return "{" + string.Join(',', parts) + "}";
    }

    private static string HostileValue(Random random, BodyKind kind, string field)
    {
        // Launches only ever name a real task with the process launcher (which cannot start here), never in process.
        if (kind == BodyKind.Launch && field == "launcher")
            return Pick(random, ["\"process\"", "\"external\"", "\"INPROCESS\"", "\"inprocess \"", "null", "1", "[]", "\"\""]);
        return random.Next(22) switch
        {
            0 => "null",
            1 => "true",
            2 => "\"\"",
            3 => "-1",
            4 => "0",
            5 => "99999999999999999999999999",
            6 => "1e400",
            7 => "-9223372036854775809",
            8 => "9223372036854775807",
            9 => "1.5",
            10 => "\"12\"",
            11 => "[]",
            12 => "[1,\"a\",null]",
            13 => "{}",
            14 => "{\"total\":-5,\"delayMs\":\"x\",\"seconds\":1e300}",
            15 => $"\"{new string('d', random.Next(900, 70_000))}\"",
            16 => "\"\\u0000\\ud800 ünïcødé 🎉\"",
            17 => "[" + string.Join(',', Enumerable.Repeat("\"l\"", random.Next(990, 1_200))) + "]",
            18 => "[\"" + new string('x', 9_000) + "\"]",
            19 => "\"demo.count\"",
            20 => "\"running\"",
            _ => "\"sleeping\"",
        };
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private sealed class FuzzRequest
    {
        public required string Method { get; set; }
        public required string Path { get; set; }
        public byte[]? Body { get; set; }
        public string? ContentType { get; set; }
        public List<(string Name, string Value)> Headers { get; } = [];

        public HttpRequestMessage ToMessage()
        {
            var message = new HttpRequestMessage(new HttpMethod(Method), Path);
            if (Body is not null)
            {
                message.Content = new ByteArrayContent(Body);
                if (ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
            foreach (var (name, value) in Headers)
            {
                if (name.StartsWith("Content-", StringComparison.Ordinal))
                    message.Content?.Headers.TryAddWithoutValidation(name, value);
                else
                    message.Headers.TryAddWithoutValidation(name, value);
            }
            return message;
        }

        public override string ToString()
        {
            var path = Path.Length > 120 ? Path[..120] + "…" : Path;
            var body = Body is null ? "" : $" [{Body.Length} bytes {ContentType}: {Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(80, Body.Length)))}]";
            return $"{Method} {path}{body} {string.Join(' ', Headers.Select(h => $"{h.Name}:{(h.Value.Length > 40 ? h.Value[..40] + "…" : h.Value)}"))}";
        }
    }
}
