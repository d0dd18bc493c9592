using System.Runtime.CompilerServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Bgtask.Worker.Sdk;

namespace Bgtask.Bench.Scenarios;

/// <summary>ns per Advance + check-point with nothing pending (BenchmarkDotNet, in process), beside an empty loop.</summary>
public static class SdkScenario
{
    public static Task RunAsync(Bench bench)
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddLogger(NullLogger.Instance)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary)
            .WithArtifactsPath(Path.Combine(bench.Work, "bdn"));
        var summary = BenchmarkRunner.Run<SdkBenchmarks>(config);
        double Mean(string method) => summary.Reports.First(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)
            .ResultStatistics!.Mean;
        var sdk = Mean(nameof(SdkBenchmarks.AdvanceAndCheckpoint));
        var empty = Mean(nameof(SdkBenchmarks.EmptyLoop));
        bench.Results.Add("sdk", "advance_checkpoint_ns", sdk);
        bench.Results.Add("sdk", "empty_loop_ns", empty);
        bench.Results.Line("sdk", "Advance + CheckpointAsync, nothing pending", $"{sdk:0.00} ns", $"empty loop {empty:0.00} ns",
            sdk / empty, "≤ 10 ns", sdk <= 10);
        return Task.CompletedTask;
    }
}

public class SdkBenchmarks
{
    private const int Operations = 1000;
    private TaskContext _context = null!;
    private long _sink;

    [GlobalSetup]
    public void Setup() => _context = new TaskContext(1, "bench", new ConfigSnapshot(1, JsonDocument.Parse("{}").RootElement),
        new TaskLogBuffer(), () => Task.CompletedTask, CancellationToken.None);

    // Fully optimized at once: the in-process toolchain would otherwise measure tier-0 code.
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long EmptyLoop()
    {
        for (var i = 0; i < Operations; i++) Volatile.Write(ref _sink, i);
        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long AdvanceAndCheckpoint()
    {
        var context = _context;
        for (var i = 0; i < Operations; i++)
        {
            context.Advance();
            var checkpoint = context.CheckpointAsync();
            if (!checkpoint.IsCompletedSuccessfully) checkpoint.AsTask().GetAwaiter().GetResult();
        }
        return context.OpFinished;
    }
}
