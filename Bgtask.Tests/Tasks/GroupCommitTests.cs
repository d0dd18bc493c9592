using System.Net;
using System.Net.Http.Json;
using Bgtask.Api.Launches;
using Bgtask.Core.Storage;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Bgtask.Tests.Infrastructure.ServerErrorInjector;

namespace Bgtask.Tests.Tasks;

/// <summary>The API with a <see cref="StatementHold"/> among its DbContext's interceptors.</summary>
public sealed class HeldStatementsFactory<TTarget> : BgtaskApiFactory<TTarget> where TTarget : IStorageTarget
{
    public StatementHold Hold { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.ConfigureDbContext<SqliteBgtaskDbContext>(o => o.AddInterceptors(Hold));
            services.ConfigureDbContext<MySqlBgtaskDbContext>(o => o.AddInterceptors(Hold));
        });
    }
}

/// <summary>
/// Group commit of launches: launches that arrive while a launch is being stored are stored together in the next
/// transaction, and each is still answered with its own task, durably stored, or with its own 409.
/// </summary>
public abstract class GroupCommitTests<TTarget>(HeldStatementsFactory<TTarget> api)
    : IClassFixture<HeldStatementsFactory<TTarget>>, IDisposable where TTarget : IStorageTarget
{
    private readonly HttpClient _client = api.CreateClient();
    private readonly LaunchCommitter _committer = api.Services.GetRequiredService<LaunchCommitter>();

    public void Dispose() => api.Hold.Disarm();

    private static string Unique(string what) => $"{what} {Guid.NewGuid():N}";

    private Task<HttpResponseMessage> PostLaunchAsync(string description, string? exclusive = null, int total = 1_000_000) =>
        _client.PostAsJsonAsync("/api/tasks",
            new { task = "demo.count", launcher = "inprocess", description, config = new { total, delayMs = 50 }, exclusive },
            Contract.Json);

    /// <summary>
    /// Launches <paramref name="leader"/> and holds its transaction open at its task's INSERT; then posts each of
    /// <paramref name="group"/> and waits until all wait for the next transaction; then lets the leader go.
    /// </summary>
    /// <param name="noted">The descriptions of the launches whose transactions <see cref="StatementHold.Transactions"/> counts.</param>
    private async Task<(HttpResponseMessage Leader, HttpResponseMessage[] Group)> LaunchBehindAHeldLaunchAsync(
        string leader, IReadOnlyList<Func<Task<HttpResponseMessage>>> group, IReadOnlyList<string> noted)
    {
        api.Hold.Arm(StatementWith("INSERT", "bgtask_tasks", leader), StatementWith("INSERT", "bgtask_tasks", [leader, .. noted]));
        var first = PostLaunchAsync(leader, total: 1);
        await Eventually.WithinAsync(api.Hold.Reached.ContinueWith(_ => true), "the leader's INSERT is held");
        var rest = group.Select(post => post()).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(_committer.Waiting == group.Count), "every launch waits for the next transaction");
        api.Hold.Release();
        return (await first, await Task.WhenAll(rest));
    }

    private async Task KillAsync(IEnumerable<TaskView> tasks)
    {
        foreach (var task in tasks) await _client.CallAsync(task.Pid, "kill");
    }

    [Fact]
    public async Task LaunchesWhileOneIsStored_AreStoredInOneTransaction_EachAnsweredWithItsOwnTask()
    {
        var leader = Unique("leader");
        var descriptions = Enumerable.Range(0, 10).Select(i => Unique($"grouped {i}")).ToList();

        var (first, group) = await LaunchBehindAHeldLaunchAsync(leader,
            descriptions.Select(d => (Func<Task<HttpResponseMessage>>)(() => PostLaunchAsync(d, total: 1))).ToList(), descriptions);

        await first.ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
        var tasks = new List<TaskView>();
        foreach (var response in group) tasks.Add(await response.ReadAsAsync<TaskView>(HttpStatusCode.Accepted));
        // The leader's transaction, then one for the ten that waited.
        Assert.Equal(2, api.Hold.Transactions);
        Assert.Equal(descriptions, tasks.Select(t => t.Description));
        Assert.Equal(10, tasks.Select(t => t.Pid).Distinct().Count());
        foreach (var task in tasks)
        {
            Assert.Equal(task.Description, (await _client.GetTaskAsync(task.Pid)).Description);
            await _client.WaitForStatusAsync(task.Pid, Statuses.Finished);
        }
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var pids = tasks.Select(t => t.Pid).ToList();
        Assert.Equal(10, await db.Configs.CountAsync(c => pids.Contains(c.Pid)));
        Assert.Equal(10, await db.Tasks.CountAsync(t => descriptions.Contains(t.Description!)));
    }

    [Fact]
    public async Task AnExclusiveConflictInAGroup_Gets409NamingTheHolder_AndTheOthersAreStored()
    {
        var held = $"held:{Guid.NewGuid():N}";
        var contested = $"contested:{Guid.NewGuid():N}";
        var holder = await (await PostLaunchAsync(Unique("holder"), held)).ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
        try
        {
            string[] described = [Unique("first with the key"), Unique("second with the key"), Unique("no key"), Unique("key held before")];
            var (first, group) = await LaunchBehindAHeldLaunchAsync(Unique("leader"),
            [
                () => PostLaunchAsync(described[0], contested),
                () => PostLaunchAsync(described[1], contested),
                () => PostLaunchAsync(described[2]),
                () => PostLaunchAsync(described[3], held),
            ], described);

            await first.ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
            // Whichever of the two came first into the group wins (the requests race to it).
            var won = Assert.Single(group[..2], r => r.StatusCode == HttpStatusCode.Accepted);
            var winner = await won.ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
            var unkeyed = await group[2].ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
            try
            {
                Assert.Equal(winner.Pid, (await group[..2].Single(r => r != won).ReadProblemAsync(HttpStatusCode.Conflict)).Pid);
                Assert.Equal(holder.Pid, (await group[3].ReadProblemAsync(HttpStatusCode.Conflict)).Pid);
                Assert.Equal(2, api.Hold.Transactions);
                Assert.Equal(Statuses.Running, (await _client.GetTaskAsync(unkeyed.Pid)).Status);
                await using var scope = api.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
                Assert.False(await db.Configs.AnyAsync(c => !db.Tasks.Any(t => t.Id == c.Pid)), "a config row outlived its task");
            }
            finally
            {
                await KillAsync([winner, unkeyed]);
            }
        }
        finally
        {
            await KillAsync([holder]);
        }
    }
}

public sealed class GroupCommitTests_Sqlite(HeldStatementsFactory<SqliteTarget> api) : GroupCommitTests<SqliteTarget>(api);

public sealed class GroupCommitTests_MariaDb(HeldStatementsFactory<MariaDbTarget> api) : GroupCommitTests<MariaDbTarget>(api);

public sealed class GroupCommitTests_MariaDbMemory(HeldStatementsFactory<MariaDbMemoryTarget> api)
    : GroupCommitTests<MariaDbMemoryTarget>(api);
