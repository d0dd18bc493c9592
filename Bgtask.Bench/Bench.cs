using System.Diagnostics;

namespace Bgtask.Bench;

/// <summary>
/// What the scenarios share: the results, the Release builds they run (the service with its JIT worker, the
/// Native AOT worker, the floor program, the soak worker in AOT and JIT, the minimal ASP.NET Core app),
/// published once into a temp folder, and a throwaway MariaDB.
/// </summary>
public sealed class Bench : IAsyncDisposable
{
    private MariaDbServer? _mariaDb;
    private bool _keep;

    private Bench(string repo, string work)
    {
        Repo = repo;
        Work = work;
    }

    public Results Results { get; } = new();
    public string Repo { get; }
    public string Work { get; }
    public string ApiDll => Path.Combine(Work, "api", "Bgtask.Api.dll");
    public string AotWorker => Path.Combine(Work, "worker-aot", "Bgtask.Worker");
    public string Floor => Path.Combine(Work, "floor", "bgtask-floor");
    public string SoakAot => Path.Combine(Work, "soak-aot", "bgtask-soak");
    public string SoakJit => Path.Combine(Work, "soak-jit", "bgtask-soak");
    public string MinimalApiDll => Path.Combine(Work, "minimal-api", "bgtask-minimal-api.dll");

    public static async Task<Bench> CreateAsync()
    {
        var repo = FindRepo();
        // BENCH_REUSE=<folder>: keep the builds in that folder and reuse those found there (for working on the bench
        // itself; delete one to rebuild it).
        var reuse = Environment.GetEnvironmentVariable("BENCH_REUSE");
        var work = reuse is { Length: > 0 } ? Path.GetFullPath(reuse) : Path.Combine(Path.GetTempPath(), $"bgtask-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        var bench = new Bench(repo, work) { _keep = reuse is { Length: > 0 } };
        var clock = Stopwatch.StartNew();
        // Two chains at once: the floor program and the minimal app reference no project of the repo, so they build
        // beside the rest; the others share Bgtask.Worker's intermediate folders (with and without linux-x64) and
        // stay one after the other.
        async Task RepoProjects()
        {
            if (!bench._keep || !File.Exists(bench.ApiDll))
                await bench.DotnetAsync("publish", "Bgtask.Api/Bgtask.Api.csproj", "-c", "Release", "-o", Path.Combine(work, "api"));
            if (!bench._keep || !File.Exists(bench.AotWorker))
                await bench.DotnetAsync("publish", "Bgtask.Worker/Bgtask.Worker.csproj", "-c", "Release", "-r", "linux-x64",
                    "-p:PublishAot=true", "-o", Path.Combine(work, "worker-aot"));
            if (!bench._keep || !File.Exists(bench.SoakAot))
                await bench.DotnetAsync("publish", "Bgtask.Bench/Soak/Soak.csproj", "-c", "Release", "-r", "linux-x64",
                    "-o", Path.Combine(work, "soak-aot"));
            if (!bench._keep || !File.Exists(bench.SoakJit))
                await bench.DotnetAsync("publish", "Bgtask.Bench/Soak/Soak.csproj", "-c", "Release", "-p:PublishAot=false",
                    "-o", Path.Combine(work, "soak-jit"));
        }
        async Task StandaloneProjects()
        {
            if (!bench._keep || !File.Exists(bench.Floor))
                await bench.DotnetAsync("publish", "Bgtask.Bench/Floor/Floor.csproj", "-c", "Release", "-r", "linux-x64",
                    "-o", Path.Combine(work, "floor"));
            if (!bench._keep || !File.Exists(bench.MinimalApiDll))
                await bench.DotnetAsync("publish", "Bgtask.Bench/MinimalApi/MinimalApi.csproj", "-c", "Release",
                    "-o", Path.Combine(work, "minimal-api"));
        }
        await Task.WhenAll(RepoProjects(), StandaloneProjects());
        Console.WriteLine($"built the service, the AOT worker, the floor program, the soak worker and the minimal app in {clock.Elapsed.TotalSeconds:0} s ({work})");
        return bench;
    }

    /// <summary>Started at the first call, with the server's own (durable) defaults: the bench measures real writes.</summary>
    public async Task<MariaDbServer> MariaDbAsync()
    {
        if (_mariaDb is not null) return _mariaDb;
        _mariaDb = await MariaDbServer.StartAsync();
        Console.WriteLine($"started MariaDB {_mariaDb.ServerVersion} on port {_mariaDb.Port} (pid {_mariaDb.OsPid})");
        return _mariaDb;
    }

    private async Task DotnetAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.ArgumentList.Add("-nologo");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed:\n{await output}\n{await error}");
        Console.WriteLine($"  published {Path.GetFileName(arguments[Array.IndexOf(arguments, "-o") + 1])} in {clock.Elapsed.TotalSeconds:0} s");
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bgtask.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Bgtask.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run the bench from inside the Bgtask repository.");
    }

    public async ValueTask DisposeAsync()
    {
        _mariaDb?.Dispose();
        if (_keep) return;
        try { Directory.Delete(Work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
