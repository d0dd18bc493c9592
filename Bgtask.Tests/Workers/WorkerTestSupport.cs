using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Workers;

/// <summary>
/// The API served on a real 127.0.0.1 port, so the worker processes it launches can reach it. A subclass adds
/// settings through <see cref="Settings"/>. On dispose, any worker of this API still alive (a test that failed
/// half-way) is killed by its OS pid, so no orphan outlives the run.
/// </summary>
public class WorkerApiFactory<TTarget>() : BgtaskApiFactory<TTarget>(serveOnLoopback: true) where TTarget : IStorageTarget
{
    private Uri? _address;

    /// <summary>Settings for this factory's tests; the defaults keep orphans short-lived and kills quick.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    protected sealed override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        new KeyValuePair<string, string?>[]
        {
            new("Worker:RetryWindow", "00:00:30"),
            new("Signals:RecheckInterval", "00:00:01"),
        }.Concat(Settings);

    /// <summary>The server's address, cached (workers see it with a trailing slash: <c>http://127.0.0.1:port/</c>).</summary>
    public Uri Address => _address ??= ServerAddress;

    /// <summary>Notes the address as soon as a client is made, so Dispose knows whose workers to look for.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        _address ??= ServerAddress;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _address is not null) WorkerProcesses.KillAllOf(_address);
        base.Dispose(disposing);
    }
}

/// <summary>The launch route and the waiting that follows it, as one-liners.</summary>
public static class Launches
{
    /// <summary><c>POST /api/tasks</c>; asserts 202 with <c>Location: /api/tasks/{pid}</c>.</summary>
    public static async Task<TaskView> LaunchAsync(this HttpClient client, string task, object? config = null,
        string? launcher = null, int? timeoutSeconds = null, string? description = null)
    {
        var response = await client.PostAsJsonAsync("/api/tasks",
            new { task, launcher, config, timeoutSeconds, description }, Contract.Json);
        var launched = await response.ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
        Assert.Equal($"/api/tasks/{launched.Pid}", response.Headers.Location?.OriginalString);
        Assert.Equal(task, launched.Task);
        return launched;
    }

    /// <summary>Polls the task until <paramref name="until"/> holds and returns it.</summary>
    public static Task<TaskView> WaitForAsync(this HttpClient client, long pid, Func<TaskView, bool> until,
        string what, TimeSpan? timeout = null) =>
        client.WaitForAsync(pid, t => Task.FromResult(until(t)), what, timeout);

    /// <summary>Polls the task until <paramref name="until"/> holds; the check may call the API itself.</summary>
    public static async Task<TaskView> WaitForAsync(this HttpClient client, long pid, Func<TaskView, Task<bool>> until,
        string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Eventually.DefaultTimeout);
        while (true)
        {
            var last = await client.GetTaskAsync(pid);
            if (await until(last)) return last;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting until task {pid} {what}; last seen: {last}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for <paramref name="status"/>; an end in another status fails at once.</summary>
    public static async Task<TaskView> WaitForStatusAsync(this HttpClient client, long pid, string status,
        TimeSpan? timeout = null)
    {
        var task = await client.WaitForAsync(pid, t => t.Status == status || Terminal(t.Status), $"is {status}", timeout);
        Assert.True(task.Status == status, $"Task {pid} was expected {status}, and is: {task}");
        return task;
    }

    public static Task<TaskView> WaitForEndAsync(this HttpClient client, long pid, TimeSpan? timeout = null) =>
        client.WaitForAsync(pid, t => Terminal(t.Status), "has ended", timeout);

    public static bool Terminal(string status) => status is Statuses.Stopped or Statuses.Finished or Statuses.Error;

    /// <summary>Every line of the task's log, oldest first.</summary>
    public static async Task<List<string>> LogLinesAsync(this HttpClient client, long pid)
    {
        var lines = new List<string>();
        long? after = null;
        do
        {
            var page = await client.ReadLogAsync(pid, after is { } a ? $"?limit=1000&after={a}" : "?limit=1000");
            lines.AddRange(page.Items.Select(i => i.Line));
            after = page.Next;
        } while (after is not null);
        return lines;
    }

    /// <summary>Asserts the lines appear in the log in this order (other lines may come between).</summary>
    public static void InOrder(IReadOnlyList<string> log, params string[] expected)
    {
        var at = 0;
        foreach (var line in expected)
        {
            var found = -1;
            for (var i = at; i < log.Count; i++)
                if (log[i] == line) { found = i; break; }
            Assert.True(found >= 0, $"The log lacks '{line}' after line {at}:\n{string.Join('\n', log)}");
            at = found + 1;
        }
    }
}
