using System.Diagnostics;
using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;

namespace Bgtask.Tests.Faults;

/// <summary>
/// MariaDB killed mid-run and started again on the same data and port: meanwhile the API answers 503 problem
/// details (never 500) and is not ready; afterwards it recovers by itself, and the worker, which kept retrying,
/// gets every operation counted.
/// </summary>
[Collection(ProcessFaultsCollection.Name)]
public sealed class DatabaseRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    // A server of this test's own: the shared one must never be stopped. On a loopback address other than
    // 127.0.0.1, as each node of a cluster will be.
    private MariaDbServer? _database;
    private ServiceProcess? _service;

    private HttpClient Client => _service!.Client;

    public async Task InitializeAsync()
    {
        _database = await MariaDbServer.StartAsync(new MariaDbOptions
        {
            BindAddress = "127.0.0.2",
            FlushLogAtTrxCommit = 2,
            BufferPoolSize = "32M",
        });
        _service = new ServiceProcess(new Dictionary<string, string>
        {
            ["Storage:Provider"] = "MySql",
            ["Storage:MySql:Engine"] = "InnoDB",
            ["Storage:MySql:ServerVersion"] = _database.ServerVersion,
            ["Worker:RetryWindow"] = "00:01:00",
        }, _database.ConnectionStringFor(_database.CreateDatabase()));
        await _service.StartAsync();
    }

    public Task DisposeAsync()
    {
        if (_service is not null && !string.IsNullOrEmpty(_service.Output)) output.WriteLine($"service output:\n{_service.Output}");
        _service?.Dispose();
        _database?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DatabaseKilledMidRun_Answers503ThenRecoversAndTheTaskFinishesWithEveryOperation()
    {
        var task = await Client.LaunchAsync("demo.count", new { total = 40, delayMs = 100 });
        await Client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");

        _database!.Kill();

        var path = Contract.TaskPath(task.Pid);
        var problem = await (await Client.GetAsync(path)).ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Database unavailable", problem.Title);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
        // Reads and writes alike: 503 problem details, with Retry-After.
        foreach (var request in new Func<HttpRequestMessage>[]
                 {
                     () => new(HttpMethod.Get, "/api/tasks"),
                     () => new(HttpMethod.Get, $"{path}/log"),
                     () => new(HttpMethod.Get, $"{path}/config"),
                     () => new(HttpMethod.Get, $"{path}/signals?clean=true&wait=1"),
                     () => new(HttpMethod.Post, $"{path}/signals") { Content = Contract.JsonText("""{"signal":"custom.x"}""") },
                     () => new(HttpMethod.Put, $"{path}/state") { Content = Contract.JsonText("""{"opTotal":40,"opFinished":1}""") },
                     () => new(HttpMethod.Post, "/api/tasks/records") { Content = Contract.JsonText("""{"description":"d"}""") },
                     () => new(HttpMethod.Post, "/api/tasks") { Content = Contract.JsonText("""{"task":"demo.count"}""") },
                 })
        {
            // A progress report may be taken into the report buffer until its first write fails: then 503 too.
            var response = await Client.SendAsync(request());
            for (var tries = 0; response.StatusCode == HttpStatusCode.OK && tries < 50; tries++)
            {
                await Task.Delay(100);
                response = await Client.SendAsync(request());
            }
            await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(response.Headers.RetryAfter is not null, $"no Retry-After on {response.RequestMessage}");
        }

        var clock = Stopwatch.StartNew();
        _database.Restart();
        var databaseUp = clock.ElapsedMilliseconds;
        await Eventually.TrueAsync(async () =>
        {
            var response = await Client.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
                $"{(int)response.StatusCode} during the recovery: {await response.Content.ReadAsStringAsync()}");
            return response.StatusCode == HttpStatusCode.OK;
        }, "the API answers again");
        var apiUp = clock.ElapsedMilliseconds;
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/ready")).StatusCode);
        output.WriteLine($"mariadbd answering {databaseUp} ms after its restart; the API {apiUp} ms after it");

        var ended = await Client.WaitForStatusAsync(task.Pid, Statuses.Finished, TimeSpan.FromSeconds(30));
        output.WriteLine($"task finished {clock.ElapsedMilliseconds} ms after the database restart");
        Assert.Equal((40L, 40L), (ended.OpTotal, ended.OpFinished));
        Launches.InOrder(await Client.LogLinesAsync(task.Pid), "start", "finish");
    }
}
