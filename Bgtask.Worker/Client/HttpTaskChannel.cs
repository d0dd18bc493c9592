using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bgtask.Worker.Sdk;

namespace Bgtask.Worker.Client;

/// <summary>
/// A worker's side of the HTTP contract for its one task. Transient failures (no connection, timeouts,
/// 5xx, 429) are retried with back-off inside the <see cref="RetryWindow"/>; a 404 or 409 means the task
/// has ended or is gone, which is final.
/// </summary>
public sealed class HttpTaskChannel(HttpClient http, long pid, RetryWindow retry) : ITaskChannel
{
    private readonly string _task = $"api/tasks/{pid}";
    private WireState? _final;

    public async Task<TaskStart> StartAsync(CancellationToken ct)
    {
        using (var started = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"{_task}/started"), ct))
        {
            var task = await ReadAsync(started, WireJson.Default.WireTask, ct);
            return new TaskStart(task.Task, await GetConfigAsync(ct));
        }
    }

    /// <summary>Signal ids the worker channel already handed to the task: the signals read leaves them out.</summary>
    internal Func<long, bool>? AlreadyDelivered { get; init; }

    internal static WireState Body(ProgressReport report) =>
        new(report.OpTotal, report.OpFinished, report.Sleeping ? "sleeping" : "running", report.Memory, report.MemoryPeak);

    public async Task ReportAsync(ProgressReport report, bool retry, CancellationToken ct)
    {
        var body = Body(report);
        HttpRequestMessage Request() => Json(HttpMethod.Put, $"{_task}/state", body, WireJson.Default.WireState);
        if (retry)
        {
            _final = body;
            using var _ = await SendAsync(Request, ct);
            return;
        }
        using var response = await http.SendAsync(Request(), ct);
        EnsureTaskAlive(response);
        response.EnsureSuccessStatusCode();
    }

    public async Task<SignalBatch> ReadSignalsAsync(TimeSpan wait, int knownVersion, CancellationToken ct)
    {
        var seconds = Math.Clamp(wait.TotalSeconds, 0, 60).ToString("0.###", CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync($"{_task}/signals?clean=true&wait={seconds}&version={knownVersion}", ct);
        EnsureTaskAlive(response);
        response.EnsureSuccessStatusCode();
        var signals = await ReadAsync(response, WireJson.Default.ListWireSignal, ct);
        var version = response.Headers.TryGetValues(BgtaskHttp.ConfigVersionHeader, out var values) &&
                      int.TryParse(values.FirstOrDefault(), out var v) ? v : 0;
        // An empty answer well before the wait is up with no new config: the task ended (killed, time limit).
        var ended = false;
        if (signals.Count == 0 && version == knownVersion && wait > TimeSpan.Zero && clock.Elapsed < wait / 2)
        {
            using var taskResponse = await http.GetAsync(_task, ct);
            EnsureTaskAlive(taskResponse);
            var task = await ReadAsync(taskResponse, WireJson.Default.WireTask, ct);
            ended = task.Status is "stopped" or "finished" or "error";
        }
        return new SignalBatch(signals.Where(s => AlreadyDelivered?.Invoke(s.Id) != true).Select(s => s.Signal).ToList(),
            version, ended);
    }

    public async Task<ConfigSnapshot> GetConfigAsync(CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{_task}/config"), ct);
        var config = await ReadAsync(response, WireJson.Default.WireConfig, ct);
        return new ConfigSnapshot(config.Version, config.Config);
    }

    public async Task AppendLogAsync(IReadOnlyList<string> lines, CancellationToken ct)
    {
        using var _ = await SendAsync(() => Json(HttpMethod.Post, $"{_task}/log", new WireLog(lines), WireJson.Default.WireLog), ct);
    }

    public async Task EndAsync(TaskEnding ending, string? message, CancellationToken ct)
    {
        var route = ending switch
        {
            TaskEnding.Finished => "finished",
            TaskEnding.Stopped => "stopped",
            _ => "error",
        };
        HttpRequestMessage End() => ending == TaskEnding.Finished
            ? new HttpRequestMessage(HttpMethod.Post, $"{_task}/{route}")
            : Json(HttpMethod.Post, $"{_task}/{route}", new WireMessage(message), WireJson.Default.WireMessage);

        // The final report and the ending go together, to one run of the service: a service may keep a report
        // in memory for a few milliseconds before storing it, so if it goes away in between, the next attempt
        // sends the final report again before the ending, and the task never ends with lost progress.
        var deadline = DateTime.UtcNow + retry.Window;
        var delay = retry.FirstDelay;
        while (true)
        {
            try
            {
                if (_final is { } final)
                    await SendOnceAsync(() => Json(HttpMethod.Put, $"{_task}/state", final, WireJson.Default.WireState), ct);
                await SendOnceAsync(End, ct);
                return;
            }
            catch (TaskEndedException)
            {
                return; // already ended by someone else (kill, time limit): that status stands
            }
            catch (TransientFailure) when (DateTime.UtcNow < deadline)
            {
            }
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, retry.MaxDelay.Ticks));
        }
    }

    /// <summary>One attempt; a failure worth retrying is a <see cref="TransientFailure"/>.</summary>
    private async Task SendOnceAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request(), ct);
        }
        catch (Exception e) when (IsTransient(e, ct))
        {
            throw new TransientFailure(e);
        }
        using (response)
        {
            if (IsTransient(response.StatusCode)) throw new TransientFailure(null);
            EnsureTaskAlive(response);
            response.EnsureSuccessStatusCode();
        }
    }

    private sealed class TransientFailure(Exception? inner) : Exception("The service is away.", inner);

    /// <summary>Sends, retrying transient failures with back-off until the window is over.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + retry.Window;
        var delay = retry.FirstDelay;
        while (true)
        {
            HttpResponseMessage? response = null;
            try
            {
                response = await http.SendAsync(request(), ct);
                if (!IsTransient(response.StatusCode))
                {
                    EnsureTaskAlive(response);
                    response.EnsureSuccessStatusCode();
                    return response;
                }
            }
            catch (Exception e) when (IsTransient(e, ct) && DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline)
            {
                response?.EnsureSuccessStatusCode();
                throw new TimeoutException($"The service did not answer within {retry.Window}.");
            }
            response?.Dispose();
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, retry.MaxDelay.Ticks));
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    private static bool IsTransient(Exception e, CancellationToken ct) =>
        e is HttpRequestException or IOException || (e is TaskCanceledException && !ct.IsCancellationRequested);

    private void EnsureTaskAlive(HttpResponseMessage response) => EnsureTaskAlive(response.StatusCode);

    internal void EnsureTaskAlive(HttpStatusCode status)
    {
        if (status is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            throw new TaskEndedException($"Task {pid} has ended or is gone ({(int)status}).");
    }

    // Serialized up front: the body goes with its Content-Length in one write, not chunked (which the service
    // must read ahead to enforce its size limit).
    private static HttpRequestMessage Json<T>(HttpMethod method, string uri, T body, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpRequestMessage(method, uri) { Content = content };
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync(type, ct)
        ?? throw new InvalidDataException("The service answered with an empty body.");
}
