using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Bgtask.Client;

/// <summary>
/// A typed client of the Bgtask HTTP API for other services: launch and watch tasks, signal them, edit their
/// config, read their logs and follow their live events. Built on source-generated JSON (no reflection, ready
/// for trimming and Native AOT). A failed call throws <see cref="BgtaskException"/> with the status and the
/// service's problem details.
/// </summary>
/// <example>
/// <code>
/// var bgtask = new BgtaskClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:5080/") }, apiKey);
/// var task = await bgtask.LaunchAsync(new BgtaskLaunch("demo.count", Description: "Count to 10"));
/// await foreach (var e in bgtask.EventsAsync(task.Pid))
///     if (e.Type == "task") Console.WriteLine($"{e.AsTask().Status} {e.AsTask().Progress:P0}");
/// </code>
/// </example>
public sealed class BgtaskClient
{
    // The contract's header (ContractHeaders in Bgtask.Core on the service's side): this library ships without
    // the service's or the worker's assemblies.
    private const string ConfigVersionHeader = "Bgtask-Config-Version";

    private readonly HttpClient _http;
    private readonly string? _apiKey;

    /// <param name="http">An HttpClient whose <see cref="HttpClient.BaseAddress"/> is the service's URL.</param>
    /// <param name="apiKey">An API key, sent as <c>X-Api-Key</c> with every call; null for none.</param>
    public BgtaskClient(HttpClient http, string? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null) throw new ArgumentException("The HttpClient needs a BaseAddress.", nameof(http));
        _http = http;
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
    }

    private static string Tasks(long pid) => string.Create(CultureInfo.InvariantCulture, $"api/tasks/{pid}");

    /// <summary>Launches a registered task (<c>POST /api/tasks</c>); it answers at once with the task, pending or running.</summary>
    public Task<BgtaskTask> LaunchAsync(BgtaskLaunch launch, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/tasks", Json(launch, ClientJson.Default.BgtaskLaunch), ClientJson.Default.BgtaskTask, ct);

    /// <summary>Records a task that you run and report on yourself (<c>POST /api/tasks/records</c>).</summary>
    public Task<BgtaskTask> CreateRecordAsync(string description, string? task = null, long? parent = null,
        CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/tasks/records", Json(new RecordBody(description, task, parent), ClientJson.Default.RecordBody),
            ClientJson.Default.BgtaskTask, ct);

    /// <summary>One page of the task list, newest first (<c>GET /api/tasks</c>).</summary>
    /// <param name="status">One or more statuses, comma-separated; null for all.</param>
    /// <param name="task">Only tasks of this name.</param>
    /// <param name="parent">Only children of this pid.</param>
    /// <param name="limit">1 to 500; null for the service's default (50).</param>
    /// <param name="after">The previous page's <see cref="BgtaskTaskPage.Next"/>.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BgtaskTaskPage> ListAsync(string? status = null, string? task = null, long? parent = null,
        int? limit = null, long? after = null, CancellationToken ct = default)
    {
        var query = new List<string>();
        if (status is not null) query.Add("status=" + Uri.EscapeDataString(status));
        if (task is not null) query.Add("task=" + Uri.EscapeDataString(task));
        if (parent is not null) query.Add(string.Create(CultureInfo.InvariantCulture, $"parent={parent}"));
        if (limit is not null) query.Add(string.Create(CultureInfo.InvariantCulture, $"limit={limit}"));
        if (after is not null) query.Add(string.Create(CultureInfo.InvariantCulture, $"after={after}"));
        var path = query.Count == 0 ? "api/tasks" : "api/tasks?" + string.Join('&', query);
        return SendAsync(HttpMethod.Get, path, null, ClientJson.Default.BgtaskTaskPage, ct);
    }

    /// <summary>Every task matching the filters, newest first, fetched page by page as you enumerate.</summary>
    public async IAsyncEnumerable<BgtaskTask> ListAllAsync(string? status = null, string? task = null, long? parent = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        long? after = null;
        do
        {
            var page = await ListAsync(status, task, parent, 500, after, ct);
            foreach (var item in page.Items) yield return item;
            after = page.Next;
        } while (after is not null);
    }

    /// <summary>The task (<c>GET /api/tasks/{pid}</c>).</summary>
    public Task<BgtaskTask> GetAsync(long pid, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Get, Tasks(pid), null, ClientJson.Default.BgtaskTask, ct);

    /// <summary>Whether the task is pending, running or sleeping with its runner alive (<c>GET /api/tasks/{pid}/live</c>).</summary>
    public async Task<bool> IsLiveAsync(long pid, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Get, Tasks(pid) + "/live", null, ClientJson.Default.LiveBody, ct)).Live;

    /// <summary>Sends a signal: <c>sleep</c>, <c>continue</c>, <c>stop</c> or a custom name. 409 once the task has ended.</summary>
    public Task<BgtaskSignal> SignalAsync(long pid, string signal, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, Tasks(pid) + "/signals", Json(new SignalBody(signal), ClientJson.Default.SignalBody),
            ClientJson.Default.BgtaskSignal, ct);

    /// <summary>The task's pending signals, oldest first (<c>GET /api/tasks/{pid}/signals</c>).</summary>
    /// <param name="pid">The task.</param>
    /// <param name="consume">Take them: no other reader will receive them.</param>
    /// <param name="wait">When none is pending, wait up to this long (at most 60 s) for one or for a config change.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<BgtaskSignals> GetSignalsAsync(long pid, bool consume = false, TimeSpan? wait = null,
        CancellationToken ct = default)
    {
        var seconds = (wait ?? TimeSpan.Zero).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        using var response = await SendRawAsync(HttpMethod.Get,
            $"{Tasks(pid)}/signals?clean={(consume ? "true" : "false")}&wait={seconds}", null, ct);
        var items = await ReadAsync(response, ClientJson.Default.ListBgtaskSignal, ct);
        var version = response.Headers.TryGetValues(ConfigVersionHeader, out var values) &&
                      int.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, out var v) ? v : 0;
        return new BgtaskSignals(items, version);
    }

    /// <summary>Removes pending signals: the given ids, or all of them when none is given. Returns how many went.</summary>
    public async Task<int> ClearSignalsAsync(long pid, IReadOnlyCollection<long>? ids = null, CancellationToken ct = default)
    {
        var query = ids is { Count: > 0 } ? "?" + string.Join('&', ids.Select(i => string.Create(CultureInfo.InvariantCulture, $"id={i}"))) : "";
        return (await SendAsync(HttpMethod.Delete, Tasks(pid) + "/signals" + query, null, ClientJson.Default.RemovedBody, ct)).Removed;
    }

    /// <summary>The task's config and its version (<c>GET /api/tasks/{pid}/config</c>).</summary>
    public Task<BgtaskConfig> GetConfigAsync(long pid, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Get, Tasks(pid) + "/config", null, ClientJson.Default.BgtaskConfig, ct);

    /// <summary>
    /// Replaces the task's config with a JSON object (a new version). With <paramref name="ifVersion"/> it only
    /// replaces that version: another writer's change first makes it fail with 412.
    /// </summary>
    /// <param name="pid">The task.</param>
    /// <param name="config">A JSON object.</param>
    /// <param name="ifVersion">The version you read (sent as <c>If-Match</c>); null to replace whatever is there.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BgtaskConfig> SetConfigAsync(long pid, JsonElement config, int? ifVersion = null, CancellationToken ct = default)
    {
        var content = Json(config, ClientJson.Default.JsonElement);
        return SendAsync(HttpMethod.Put, Tasks(pid) + "/config", content, ClientJson.Default.BgtaskConfig, ct,
            ifVersion is { } v ? string.Create(CultureInfo.InvariantCulture, $"\"{v}\"") : null);
    }

    /// <summary>Ends the task's runner for real and marks it stopped, "killed". False when it had already ended.</summary>
    public async Task<bool> KillAsync(long pid, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, Tasks(pid) + "/kill", null, ClientJson.Default.KillBody, ct)).Killed;

    /// <summary>Freezes every OS process of a running or sleeping task where it stands (<c>POST /api/tasks/{pid}/freeze</c>).</summary>
    public Task<BgtaskTask> FreezeAsync(long pid, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, Tasks(pid) + "/freeze", null, ClientJson.Default.BgtaskTask, ct);

    /// <summary>Lets a frozen task's processes go on (<c>POST /api/tasks/{pid}/thaw</c>).</summary>
    public Task<BgtaskTask> ThawAsync(long pid, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, Tasks(pid) + "/thaw", null, ClientJson.Default.BgtaskTask, ct);

    /// <summary>The service nodes of the cluster (<c>GET /api/nodes</c>).</summary>
    public async Task<IReadOnlyList<BgtaskNode>> GetNodesAsync(CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Get, "api/nodes", null, ClientJson.Default.ListBgtaskNode, ct);

    /// <summary>
    /// Any route of the contract, answering its JSON exactly as the service sent it (null for an empty body), for
    /// tools that pass the service's JSON on (the CLI's <c>--json</c>) and fields newer than this client's records.
    /// A failed call throws <see cref="BgtaskException"/> like every other method.
    /// </summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The route relative to the base address, such as <c>api/tasks/42</c>.</param>
    /// <param name="body">A JSON body, or null for none.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<JsonElement?> SendJsonAsync(HttpMethod method, string path, JsonElement? body = null,
        CancellationToken ct = default)
    {
        using var response = await SendRawAsync(method, path, body is { } b ? Json(b, ClientJson.Default.JsonElement) : null, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return text.Length == 0 ? null : JsonSerializer.Deserialize(text, ClientJson.Default.JsonElement);
    }

    /// <summary>Deletes an ended task with its signals, configs and log. 409 while it is live.</summary>
    public async Task RemoveAsync(long pid, CancellationToken ct = default)
    {
        using var _ = await SendRawAsync(HttpMethod.Delete, Tasks(pid), null, ct);
    }

    /// <summary>Appends lines to the task's log (at most 1,000 per call).</summary>
    public async Task AppendLogAsync(long pid, IReadOnlyList<string> lines, CancellationToken ct = default)
    {
        using var _ = await SendRawAsync(HttpMethod.Post, Tasks(pid) + "/log", Json(new LogBody(lines), ClientJson.Default.LogBody), ct);
    }

    /// <summary>The task's log lines after <paramref name="after"/>, oldest first.</summary>
    /// <param name="pid">The task.</param>
    /// <param name="after">The last <see cref="BgtaskLogLine.Seq"/> already read; 0 from the start.</param>
    /// <param name="limit">1 to 1,000; null for the service's default (200).</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<BgtaskLogPage> ReadLogAsync(long pid, long after = 0, int? limit = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture,
            $"{Tasks(pid)}/log?after={after}{(limit is { } l ? $"&limit={l}" : "")}"), null, ClientJson.Default.BgtaskLogPage, ct);

    /// <summary>The tasks that can be launched.</summary>
    public async Task<IReadOnlyList<BgtaskTaskType>> GetTaskTypesAsync(CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Get, "api/task-types", null, ClientJson.Default.ListBgtaskTaskType, ct);

    /// <summary>
    /// The live events of one task (<paramref name="pid"/>) or of all tasks (null), as they happen. One task's
    /// stream starts with a <c>snapshot</c> and ends after its terminal event; the all-tasks stream runs until
    /// cancelled or the connection drops. To resume after a drop without gaps, call again with the last
    /// <see cref="BgtaskEvent.Id"/> received; when the service cannot resume from it, a <c>snapshot</c> comes first.
    /// </summary>
    public async IAsyncEnumerable<BgtaskEvent> EventsAsync(long? pid = null, string? lastEventId = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var request = Request(HttpMethod.Get, pid is { } p ? Tasks(p) + "/events" : "api/tasks/events", null);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, Encoding.UTF8);

        string? id = null, type = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                    yield return new BgtaskEvent(id, type ?? "message", JsonSerializer.Deserialize(data.ToString(), ClientJson.Default.JsonElement));
                type = null;
                data.Clear();
                continue;
            }
            if (line[0] == ':') continue; // a heartbeat
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data":
                    if (data.Length > 0) data.Append('\n');
                    data.Append(value);
                    break;
            }
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (_apiKey is not null) request.Headers.TryAddWithoutValidation("X-Api-Key", _apiKey);
        return request;
    }

    private static JsonContent Json<T>(T value, JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type,
        CancellationToken ct, string? ifMatch = null)
    {
        using var response = await SendRawAsync(method, path, content, ct, ifMatch);
        return await ReadAsync(response, type, ct);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content,
        CancellationToken ct, string? ifMatch = null)
    {
        using var request = Request(method, path, content);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        var response = await _http.SendAsync(request, ct);
        try
        {
            await EnsureSuccessAsync(response, ct);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync(type, ct)
        ?? throw new BgtaskException((int)response.StatusCode, "Empty response", "The service answered with no body.");

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        ProblemBody? problem = null;
        try
        {
            if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true)
                problem = await response.Content.ReadFromJsonAsync(ClientJson.Default.ProblemBody, ct);
        }
        catch (JsonException)
        {
            // not problem details after all
        }
        throw new BgtaskException((int)response.StatusCode, problem?.Title ?? response.ReasonPhrase,
            problem?.Detail ?? (response.StatusCode == HttpStatusCode.Unauthorized ? "A valid API key is needed." : null));
    }
}
