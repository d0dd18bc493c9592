using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Bgtask.Tests.Http;

/// <summary>
/// Two API instances on one database, as after a restart or with two replicas: the second start migrates
/// nothing twice, sees the same tasks and never reuses a pid, and a held read hears of another instance's signal.
/// </summary>
public abstract class ReplicaTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api), IDisposable
    where TTarget : IStorageTarget
{
    /// <summary>A second API on this class's database; its held reads re-read the database every 200 ms.</summary>
    private readonly WebApplicationFactory<Program> _replica =
        api.WithWebHostBuilder(b => b.UseSetting("Signals:RecheckInterval", "00:00:00.200"));

    public void Dispose() => _replica.Dispose();

    [Fact]
    public async Task SecondApi_OnTheSameDatabase_SeesTheTasksAndContinuesThePids()
    {
        var first = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(first.Pid, "from the first");
        using var replica = _replica.CreateClient();

        var seen = await replica.GetTaskAsync(first.Pid);
        var second = await replica.NewRecordAsync();

        Assert.Equal(Statuses.Running, seen.Status);
        Assert.Equal(["from the first"], (await replica.ReadLogAsync(first.Pid)).Items.Select(l => l.Line));
        Assert.True(second.Pid > first.Pid);
        Assert.Equal(second.Pid, (await Client.GetTaskAsync(second.Pid)).Pid);
    }

    [Fact]
    public async Task Wait_SignalSentThroughAnotherApi_ArrivesAtTheNextRecheck()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        using var replica = _replica.CreateClient();
        var read = replica.ReadSignalsAsync(task.Pid, clean: true, wait: 60);
        Assert.True(await Eventually.StillPendingAfterAsync(read, TimeSpan.FromMilliseconds(300)));

        await Client.SendSignalAsync(task.Pid, "stop");

        var answer = await Eventually.WithinAsync(read, "the replica's held read to see the signal");
        Assert.Equal(["stop"], answer.Signals.Select(s => s.Signal));
    }

    [Fact]
    public async Task Wait_ConfigChangedThroughAnotherApi_ArrivesAtTheNextRecheck()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        using var replica = _replica.CreateClient();
        var read = replica.ReadSignalsAsync(task.Pid, clean: true, wait: 60);
        Assert.True(await Eventually.StillPendingAfterAsync(read, TimeSpan.FromMilliseconds(300)));

        var answer = await Client.ChangeConfigUntilAnsweredAsync(task.Pid, read);

        Assert.Empty(answer.Signals);
        Assert.InRange(answer.ConfigVersion, 2, (await Client.GetConfigAsync(task.Pid)).Version);
    }
}

public sealed class ReplicaTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : ReplicaTests<SqliteTarget>(api);

public sealed class ReplicaTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : ReplicaTests<MariaDbTarget>(api);

public sealed class ReplicaTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : ReplicaTests<MariaDbMemoryTarget>(api);
