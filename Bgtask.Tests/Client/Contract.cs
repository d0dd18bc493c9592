using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bgtask.Tests.Client;

/// <summary>The contract's calls as one-liners, and the checks every response gets.</summary>
public static class Contract
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new UtcTimeConverter() },
    };

    public const string ConfigVersionHeader = "Bgtask-Config-Version";

    public static string TaskPath(long pid) => $"/api/tasks/{pid}";

    // Records and tasks

    public static async Task<TaskView> NewRecordAsync(this HttpClient client, string? task = null, long? parent = null,
        string description = "a test record") =>
        await (await client.PostAsJsonAsync("/api/tasks/records", new NewRecord(description, task, parent), Json))
            .ReadAsAsync<TaskView>(HttpStatusCode.Created);

    public static async Task<TaskView> GetTaskAsync(this HttpClient client, long pid) =>
        await (await client.GetAsync(TaskPath(pid))).ReadAsAsync<TaskView>();

    public static async Task<TaskPageView> ListAsync(this HttpClient client, string query = "") =>
        await (await client.GetAsync($"/api/tasks{query}")).ReadAsAsync<TaskPageView>();

    /// <summary>A POST with no body at all and no Content-Type, as curl and Swagger UI send it.</summary>
    public static Task<HttpResponseMessage> PostNoBodyAsync(this HttpClient client, string path) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, path));

    /// <summary><c>started</c>, <c>finished</c>, <c>stopped</c>, <c>error</c> or <c>kill</c>, with no body.</summary>
    public static Task<HttpResponseMessage> CallAsync(this HttpClient client, long pid, string action) =>
        client.PostNoBodyAsync($"{TaskPath(pid)}/{action}");

    /// <summary>Calls a transition that must succeed and returns the task it answers with.</summary>
    public static async Task<TaskView> MoveAsync(this HttpClient client, long pid, string action) =>
        await (await client.CallAsync(pid, action)).ReadAsAsync<TaskView>();

    /// <summary>A new external record already in the given status (pending, running, sleeping or a terminal one).</summary>
    public static async Task<TaskView> RecordInStatusAsync(this HttpClient client, string status, string? task = null)
    {
        var record = await client.NewRecordAsync(task);
        switch (status)
        {
            case Statuses.Pending:
                return record;
            case Statuses.Running:
                return await client.MoveAsync(record.Pid, "started");
            case Statuses.Sleeping:
                await client.MoveAsync(record.Pid, "started");
                return await client.ReportStateAsync(record.Pid, new StateReport(10, 1, Statuses.Sleeping));
            default:
                await client.MoveAsync(record.Pid, "started");
                return await client.MoveAsync(record.Pid, status);
        }
    }

    public static Task<HttpResponseMessage> PutStateAsync(this HttpClient client, long pid, StateReport report) =>
        client.PutAsJsonAsync($"{TaskPath(pid)}/state", report, Json);

    public static async Task<TaskView> ReportStateAsync(this HttpClient client, long pid, StateReport report) =>
        await (await client.PutStateAsync(pid, report)).ReadAsAsync<TaskView>();

    // Signals

    public static Task<HttpResponseMessage> PostSignalAsync(this HttpClient client, long pid, string? signal) =>
        client.PostAsJsonAsync($"{TaskPath(pid)}/signals", new SignalBody(signal), Json);

    public static async Task<SignalView> SendSignalAsync(this HttpClient client, long pid, string signal) =>
        await (await client.PostSignalAsync(pid, signal)).ReadAsAsync<SignalView>(HttpStatusCode.Created);

    public static async Task<SignalsRead> ReadSignalsAsync(this HttpClient client, long pid, bool clean = false,
        double wait = 0, CancellationToken ct = default, int? version = null)
    {
        var known = version is { } v ? $"&version={v}" : "";
        var response = await client.GetAsync(
            FormattableString.Invariant($"{TaskPath(pid)}/signals?clean={(clean ? "true" : "false")}&wait={wait}{known}"), ct);
        var signals = await response.ReadAsAsync<List<SignalView>>();
        return new SignalsRead(signals, ConfigVersionOf(response));
    }

    public static int ConfigVersionOf(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues(ConfigVersionHeader, out var values),
            $"The response has no {ConfigVersionHeader} header.");
        return int.Parse(Assert.Single(values!));
    }

    // Config

    public static Task<HttpResponseMessage> PutConfigAsync(this HttpClient client, long pid, object config,
        string? ifMatch = null) =>
        client.PutJsonTextAsync($"{TaskPath(pid)}/config", JsonSerializer.Serialize(config, Json), ifMatch);

    public static Task<HttpResponseMessage> PutJsonTextAsync(this HttpClient client, string path, string json,
        string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }

    public static async Task<ConfigView> GetConfigAsync(this HttpClient client, long pid) =>
        await (await client.GetAsync($"{TaskPath(pid)}/config")).ReadAsAsync<ConfigView>();

    // Log

    public static Task<HttpResponseMessage> PostLogAsync(this HttpClient client, long pid, IReadOnlyList<string?>? lines) =>
        client.PostAsJsonAsync($"{TaskPath(pid)}/log", new LogBody(lines), Json);

    public static async Task AppendLogAsync(this HttpClient client, long pid, params string[] lines) =>
        Assert.Equal(HttpStatusCode.Accepted, (await (await client.PostLogAsync(pid, lines)).WithBodyOnFailure()).StatusCode);

    public static async Task<LogPageView> ReadLogAsync(this HttpClient client, long pid, string query = "") =>
        await (await client.GetAsync($"{TaskPath(pid)}/log{query}")).ReadAsAsync<LogPageView>();

    // Responses

    /// <summary>Asserts the status (showing the body when it differs) and reads the JSON body.</summary>
    public static async Task<T> ReadAsAsync<T>(this HttpResponseMessage response,
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        await response.ShouldBeAsync(expected);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<T>(Json);
        Assert.NotNull(body);
        return body;
    }

    public static async Task ShouldBeAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode == expected) return;
        var body = await response.Content.ReadAsStringAsync();
        Assert.Fail($"Expected {(int)expected} {expected} from {response.RequestMessage?.Method} " +
                    $"{response.RequestMessage?.RequestUri?.PathAndQuery}, got {(int)response.StatusCode}: {body}");
    }

    private static async Task<HttpResponseMessage> WithBodyOnFailure(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode) await response.ShouldBeAsync(HttpStatusCode.OK);
        return response;
    }

    /// <summary>
    /// Asserts the contract's error shape: <c>application/problem+json</c> with type, title, status and detail,
    /// the status matching the response's.
    /// </summary>
    public static async Task<ProblemView> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        await response.ShouldBeAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemView>(Json);
        Assert.NotNull(problem);
        Assert.False(string.IsNullOrWhiteSpace(problem.Type), "The problem has no type.");
        Assert.False(string.IsNullOrWhiteSpace(problem.Title), "The problem has no title.");
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail), "The problem has no detail.");
        Assert.Equal((int)expected, problem.Status);
        return problem;
    }

    /// <summary>A 400 whose <c>errors</c> object names the given (camelCase) field.</summary>
    public static async Task<ProblemView> ReadValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem.Errors);
        Assert.True(problem.Errors.ContainsKey(field),
            $"Expected an error for '{field}', got: {string.Join(", ", problem.Errors.Keys)}");
        Assert.NotEmpty(problem.Errors[field]);
        return problem;
    }

    public static StringContent JsonText(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Text(string text, string mediaType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
