using System.Net;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Faults;

public sealed class HungWorkerApiFactory : WorkerApiFactory<SqliteTarget>
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Tasks:SweepInterval", "00:00:00.2"),
    ];
}

/// <summary>
/// A worker that hangs (here: frozen with SIGSTOP, so its process lives on but reports nothing) is found out
/// by its launch's own heartbeat timeout: `error`, "worker lost (no heartbeat)", and its process is killed.
/// </summary>
public sealed class HungWorkerTests(HungWorkerApiFactory api) : IClassFixture<HungWorkerApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task FrozenWorker_WithItsOwnHeartbeatTimeout_IsErrorNoHeartbeat_AndItsProcessIsGone()
    {
        var response = await _client.PostAsJsonAsync("/api/tasks",
            new { task = "demo.count", config = new { total = 1000, delayMs = 50 }, heartbeatTimeoutSeconds = 10 },
            Contract.Json);
        var task = await response.ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
        await _client.WaitForStatusAsync(task.Pid, Statuses.Running);
        var osPid = await WorkerProcesses.WaitForAsync(api.ServerAddress, task.Pid);

        Signal(osPid, "STOP");
        try
        {
            var ended = await _client.WaitForEndAsync(task.Pid, TimeSpan.FromSeconds(60));
            Assert.Equal((Statuses.Error, "worker lost (no heartbeat)"), (ended.Status, ended.Message));
            await Eventually.TrueAsync(() => Task.FromResult(WorkerProcesses.IsGone(api.ServerAddress, task.Pid)),
                "the hung worker's process to be killed");
        }
        finally
        {
            WorkerProcesses.Kill(osPid);
        }
    }

    [Fact]
    public async Task Launch_HeartbeatTimeoutUnderTenSeconds_Returns400()
    {
        var response = await _client.PostAsJsonAsync("/api/tasks",
            new { task = "demo.count", heartbeatTimeoutSeconds = 2 }, Contract.Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static void Signal(int osPid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, osPid.ToString()]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
