using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Bgtask.Api.Launches;
using Bgtask.Worker.Sdk;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bgtask.Bench;

/// <summary>
/// The service hosted inside the bench process (on a loopback port too), so that the bench can call its
/// in-process API and register tasks that stamp the moment they start or see a signal.
/// </summary>
public sealed class InProcessHost : WebApplicationFactory<TaskDispatcher>
{
    private readonly string _sqliteFile = Path.Combine(Path.GetTempPath(), $"bgtask-bench-{Guid.NewGuid():N}.db");

    private readonly string? _workerPath;
    private long _requests;

    private InProcessHost(string? workerPath)
    {
        _workerPath = workerPath;
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>HTTP requests the service has served (counted by a middleware the bench adds).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public Uri Address
    {
        get
        {
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return new Uri(addresses.Addresses.First() + "/");
        }
    }

    public static InProcessHost Start(string? workerPath = null)
    {
        var host = new InProcessHost(workerPath);
        host.StartServer();
        host.Services.GetRequiredService<TaskCatalog>().Add<MarkTask>().Add<WaitTask>();
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Production);
        builder.UseSetting("ConnectionStrings:Bgtask", $"Data Source={_sqliteFile}");
        builder.UseSetting("Tasks:MaxRunning", "5000");
        if (_workerPath is not null) builder.UseSetting("Worker:Path", _workerPath);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new CountingFilter(() => Interlocked.Increment(ref _requests))));
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime", "Warning");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore", "Error");
        builder.UseSetting("Serilog:WriteTo:1:Name", "Console");
        builder.UseSetting("Serilog:WriteTo:1:Args:restrictedToMinimumLevel", "Fatal");
    }

    // WebApplicationFactory's Dispose() goes through DisposeAsync: the temp database is deleted there.
    public override async ValueTask DisposeAsync()
    {
        await StopWorkersAsync();
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            try { File.Delete(_sqliteFile + suffix); } catch (IOException) { }
    }

    /// <summary>
    /// The worker processes this host started are children of the bench process and, by design, outlive the
    /// service (a restarted one adopts them): each is killed here, found by the URL it reports to, so none is
    /// left retrying a service that is gone.
    /// </summary>
    private async Task StopWorkersAsync()
    {
        string url;
        try { url = $"BGTASK_API_URL={Address.AbsoluteUri}"; }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException) { return; } // never started
        foreach (var pid in ProcStat.Children(Environment.ProcessId).ToList())
        {
            string environ;
            try { environ = File.ReadAllText($"/proc/{pid}/environ"); } catch (IOException) { continue; }
            if (!environ.Split('\0').Contains(url)) continue;
            try
            {
                using var worker = Process.GetProcessById(pid);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync(timeout.Token);
            }
            catch (ArgumentException) { } // gone meanwhile
        }
    }
}

internal sealed class CountingFilter(Action count) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            count();
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>Timestamps (Stopwatch ticks) the bench tasks record, by pid.</summary>
public static class Stamps
{
    public static readonly ConcurrentDictionary<long, long> Started = new();
    public static readonly ConcurrentDictionary<long, long> SawStop = new();
    public static Action<long>? OnStarted;
}

/// <summary>Notes the moment its code starts, and ends.</summary>
public sealed class MarkTask : IWorkerTask
{
    public string Name => "bench.mark";
    public string Description => "Stamps its start and ends.";

    public Task RunAsync(TaskContext context)
    {
        Stamps.Started[context.Pid] = Stopwatch.GetTimestamp();
        Stamps.OnStarted?.Invoke(context.Pid);
        return Task.CompletedTask;
    }
}

/// <summary>Stamps its start, then waits idle until stopped and stamps when its token fires.</summary>
public sealed class WaitTask : IWorkerTask
{
    public string Name => "bench.wait";
    public string Description => "Waits until stopped.";

    public async Task RunAsync(TaskContext context)
    {
        var pid = context.Pid;
        using var registration = context.CancellationToken.Register(() => Stamps.SawStop.TryAdd(pid, Stopwatch.GetTimestamp()));
        Stamps.Started[pid] = Stopwatch.GetTimestamp();
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The registration's callback runs after the delay's (callbacks run newest first); when the cancel runs
            // this continuation inline, the registration is disposed before its turn comes: stamp here instead.
            Stamps.SawStop.TryAdd(pid, Stopwatch.GetTimestamp());
            throw;
        }
    }
}
