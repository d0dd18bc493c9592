using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Faults;

public sealed class QuickRetentionApiFactory : WorkerApiFactory<SqliteTarget>
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Tasks:Retention", "00:00:01"),
        new("Tasks:SweepInterval", "00:00:00.2"),
    ];
}

/// <summary><c>Tasks:Retention</c>: an ended task goes, with its log and config; live tasks and their signals stay.</summary>
public sealed class RetentionTests(QuickRetentionApiFactory api) : IClassFixture<QuickRetentionApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task EndedTask_IsDeletedWithItsLogAndConfig_LiveTaskAndItsSignalsStay()
    {
        var live = await _client.RecordInStatusAsync(Statuses.Running);
        await _client.SendSignalAsync(live.Pid, "custom.keep");
        var ended = await _client.RecordInStatusAsync(Statuses.Running);
        await _client.AppendLogAsync(ended.Pid, "a line");
        await (await _client.PutConfigAsync(ended.Pid, new { a = 1 })).ShouldBeAsync(HttpStatusCode.OK);
        await _client.MoveAsync(ended.Pid, "finished");

        await Eventually.TrueAsync(async () =>
        {
            // Keeps the live one reporting, so nothing but retention is at work here.
            await _client.ReportStateAsync(live.Pid, new StateReport(10, 1));
            return (await _client.GetAsync(Contract.TaskPath(ended.Pid))).StatusCode == HttpStatusCode.NotFound;
        }, "the ended task is deleted");

        await (await _client.GetAsync($"{Contract.TaskPath(ended.Pid)}/log")).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await _client.GetAsync($"{Contract.TaskPath(ended.Pid)}/config")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(Statuses.Running, (await _client.GetTaskAsync(live.Pid)).Status);
        Assert.Equal(["custom.keep"], (await _client.ReadSignalsAsync(live.Pid)).Signals.Select(s => s.Signal));
        await _client.MoveAsync(live.Pid, "finished");
    }
}
