using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Telemetry;

/// <summary>A launch's span, and its W3C trace context carried into the worker process and back in its calls.</summary>
public sealed class TraceTests(LoopbackApiFactory<SqliteTarget> api) : IClassFixture<LoopbackApiFactory<SqliteTarget>>
{
    [Fact]
    public async Task ProcessLaunch_WorkerCallsAreChildrenOfTheLaunchSpan()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Bgtask" or "Microsoft.AspNetCore" or "Bgtask.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var http = new HttpClient { BaseAddress = api.ServerAddress };

        // The launch request carries this test's own trace, to tell its launch span from other tests' (the listener
        // hears the whole process).
        using var source = new ActivitySource("Bgtask.Tests");
        HttpResponseMessage response;
        ActivityTraceId trace;
        using (var root = source.StartActivity("launch request")!)
        {
            trace = root.TraceId;
            response = await http.PostAsJsonAsync("/api/tasks",
                new { task = "demo.count", launcher = "process", config = new { total = 2, delayMs = 0 } }, Contract.Json);
        }
        var task = await response.ReadAsAsync<TaskView>(System.Net.HttpStatusCode.Accepted);
        await Eventually.TrueAsync(async () => (await http.GetTaskAsync(task.Pid)).Status == Statuses.Finished,
            "the worker finishes", TimeSpan.FromSeconds(30));

        var launch = Assert.Single(stopped, a => a.Source.Name == "Bgtask" && a.OperationName == "launch" &&
                                               a.TraceId == trace);
        Assert.Equal(task.Pid, launch.GetTagItem("bgtask.pid"));
        // Only the worker sends this span as the parent of a request.
        await Eventually.TrueAsync(() => Task.FromResult(stopped.Any(a =>
                a.Source.Name == "Microsoft.AspNetCore" && a.ParentSpanId == launch.SpanId && a.TraceId == launch.TraceId)),
            "a request of the worker arrives as a child of the launch span");
    }
}
