using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Concurrency;

/// <summary>
/// Requests that really run at the same time (each from its own client, started together): the guarded
/// statements must let exactly one writer win and never lose or duplicate a signal or a log line.
/// </summary>
public abstract class ConcurrencyTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private const int Racers = 20;
    private static readonly TimeSpan Microsecond = TimeSpan.FromMilliseconds(0.001);

    /// <summary>Runs <paramref name="count"/> calls at once, each on a client of its own.</summary>
    private async Task<T[]> AllAtOnceAsync<T>(int count, Func<HttpClient, int, Task<T>> call)
    {
        var clients = Enumerable.Range(0, count).Select(_ => Factory.CreateClient()).ToList();
        using var start = new SemaphoreSlim(0);
        var calls = clients.Select(async (client, i) =>
        {
            await start.WaitAsync();
            return await call(client, i);
        }).ToList();
        start.Release(count);
        var results = await Eventually.WithinAsync(Task.WhenAll(calls), $"{count} concurrent calls", TimeSpan.FromSeconds(60));
        clients.ForEach(c => c.Dispose());
        return results;
    }

    [Fact]
    public async Task Signals_ConcurrentConsumersWhileAWriterSends_ReceiveEachSignalExactlyOnceInOrder()
    {
        const int consumers = 4;
        const int count = 60;
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var received = Enumerable.Range(0, consumers).Select(_ => new List<SignalView>()).ToArray();
        var total = 0;
        var deadline = DateTime.UtcNow.AddSeconds(45);

        var readers = Enumerable.Range(0, consumers).Select(async i =>
        {
            using var client = Factory.CreateClient();
            while (Volatile.Read(ref total) < count && DateTime.UtcNow < deadline)
            {
                var read = await client.ReadSignalsAsync(task.Pid, clean: true, wait: 0.5);
                received[i].AddRange(read.Signals);
                Interlocked.Add(ref total, read.Signals.Count);
            }
        }).ToList();
        var sent = new List<SignalView>();
        using (var writer = Factory.CreateClient())
        {
            for (var n = 0; n < count; n++) sent.Add(await writer.SendSignalAsync(task.Pid, $"s-{n:D3}"));
        }
        await Eventually.WithinAsync(Task.WhenAll(readers).ContinueWith(_ => true), "the consumers", TimeSpan.FromSeconds(60));

        var all = received.SelectMany(r => r).ToList();
        Assert.Equal(sent.Select(s => s.Id).Order(), all.Select(s => s.Id).Order());
        Assert.Equal(sent.Select(s => s.Signal).Order(), all.Select(s => s.Signal).Order());
        Assert.All(received, r => Assert.Equal(r.Select(s => s.Id).Order(), r.Select(s => s.Id)));
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid)).Signals);
    }

    [Fact]
    public async Task Signals_ConcurrentSenders_AreAllKeptWithDistinctIds()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var sent = await AllAtOnceAsync(Racers, (client, i) => client.SendSignalAsync(task.Pid, $"s-{i:D2}"));

        Assert.Equal(Racers, sent.Select(s => s.Id).Distinct().Count());
        var pending = (await Client.ReadSignalsAsync(task.Pid, clean: true)).Signals;
        Assert.Equal(sent.Select(s => s.Id).Order(), pending.Select(s => s.Id));
    }

    [Fact]
    public async Task Transitions_RacingFinishedAndError_ExactlyOneWinsAndTheOtherGets409()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var answers = await AllAtOnceAsync(Racers, async (client, i) =>
        {
            var route = i % 2 == 0 ? "finished" : "error";
            var response = await client.CallAsync(task.Pid, route);
            return (Route: route, response.StatusCode,
                Task: response.StatusCode == HttpStatusCode.OK ? await response.ReadAsAsync<TaskView>() : null);
        });

        var final = await Client.GetTaskAsync(task.Pid);
        Assert.Contains(final.Status, new[] { Statuses.Finished, Statuses.Error });
        var winner = final.Status == Statuses.Finished ? "finished" : "error";
        Assert.All(answers.Where(a => a.Route == winner), a =>
        {
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
            Assert.Equal(final.Status, a.Task!.Status);
            Assert.Equal(final.Message, a.Task.Message);
            // One statement stamped it; every 200 reports that same stamp.
            Assert.Equal(final.FinishedAt!.Value, a.Task.FinishedAt!.Value, Microsecond);
        });
        Assert.All(answers.Where(a => a.Route != winner), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
    }

    [Fact]
    public async Task Transitions_RacingKillAndFinished_EndInOneConsistentState()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var answers = await AllAtOnceAsync(Racers, async (client, i) =>
        {
            var route = i % 2 == 0 ? "kill" : "finished";
            return (Route: route, (await client.CallAsync(task.Pid, route)).StatusCode);
        });

        var final = await Client.GetTaskAsync(task.Pid);
        Assert.All(answers.Where(a => a.Route == "kill"), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        if (final.Status == Statuses.Stopped)
        {
            Assert.Equal("killed", final.Message);
            Assert.All(answers.Where(a => a.Route == "finished"), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        }
        else
        {
            Assert.Equal(Statuses.Finished, final.Status);
            Assert.All(answers.Where(a => a.Route == "finished"), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        }
    }

    [Fact]
    public async Task Transitions_RacingStarted_AllSucceedWithOneStartStamp()
    {
        var task = await Client.NewRecordAsync();

        var started = await AllAtOnceAsync(Racers, (client, _) => client.MoveAsync(task.Pid, "started"));

        var final = await Client.GetTaskAsync(task.Pid);
        Assert.Equal(Statuses.Running, final.Status);
        Assert.All(started, t =>
        {
            Assert.Equal(Statuses.Running, t.Status);
            Assert.Equal(final.StartedAt!.Value, t.StartedAt!.Value, Microsecond);
        });
    }

    [Fact]
    public async Task Config_ConcurrentPutsWithTheSameIfMatch_ExactlyOneWins()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var answers = await AllAtOnceAsync(Racers, async (client, i) =>
            (Writer: i, (await client.PutConfigAsync(task.Pid, new { writer = i }, ifMatch: "\"1\"")).StatusCode));

        var winners = answers.Where(a => a.StatusCode == HttpStatusCode.OK).ToList();
        var winner = Assert.Single(winners);
        Assert.All(answers.Except(winners), a => Assert.Equal(HttpStatusCode.PreconditionFailed, a.StatusCode));
        var config = await Client.GetConfigAsync(task.Pid);
        Assert.Equal(2, config.Version);
        Assert.Equal(winner.Writer, config.Config.GetProperty("writer").GetInt32());
    }

    [Fact]
    public async Task Config_ConcurrentPutsWithoutIfMatch_EachGetsAVersionOfItsOwn()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var answers = await AllAtOnceAsync(Racers, async (client, i) =>
            await (await client.PutConfigAsync(task.Pid, new { writer = i })).ReadAsAsync<ConfigView>());

        Assert.Equal(Enumerable.Range(2, Racers), answers.Select(a => a.Version).Order());
        var config = await Client.GetConfigAsync(task.Pid);
        Assert.Equal(Racers + 1, config.Version);
        var last = answers.Single(a => a.Version == Racers + 1);
        Assert.Equal(last.Config.GetProperty("writer").GetInt32(), config.Config.GetProperty("writer").GetInt32());
    }

    [Fact]
    public async Task Log_ConcurrentAppends_NumberEveryLineOnceWithoutGaps()
    {
        const int linesEach = 5;
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        await AllAtOnceAsync(Racers, async (client, i) =>
        {
            await client.AppendLogAsync(task.Pid, Enumerable.Range(0, linesEach).Select(j => $"w{i:D2}-{j}").ToArray());
            return true;
        });

        var lines = (await Client.ReadLogAsync(task.Pid, "?limit=1000")).Items;
        Assert.Equal(Enumerable.Range(1, Racers * linesEach).Select(n => (long)n), lines.Select(l => l.Seq));
        var expected = Enumerable.Range(0, Racers).SelectMany(i => Enumerable.Range(0, linesEach).Select(j => $"w{i:D2}-{j}"));
        Assert.Equal(expected.Order(), lines.Select(l => l.Line).Order());
        for (var i = 0; i < Racers; i++)
        {
            var writer = $"w{i:D2}-";
            Assert.Equal(Enumerable.Range(0, linesEach).Select(j => writer + j),
                lines.Where(l => l.Line.StartsWith(writer, StringComparison.Ordinal)).Select(l => l.Line));
        }
    }
}

public sealed class ConcurrencyTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : ConcurrencyTests<SqliteTarget>(api);

public sealed class ConcurrencyTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : ConcurrencyTests<MariaDbTarget>(api);

public sealed class ConcurrencyTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : ConcurrencyTests<MariaDbMemoryTarget>(api);
