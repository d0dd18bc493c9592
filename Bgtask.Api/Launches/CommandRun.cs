using System.Globalization;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Api.Signals;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Launches;

/// <summary>
/// The service as a command's supervisor: it reads <c>::progress &lt;done&gt;/&lt;total&gt;</c> lines into the task's
/// progress, reports the tree's memory once a second (the heartbeat), and, with <c>Signals: os</c>, consumes the
/// task's signals itself: <c>sleep</c> freezes the tree, <c>continue</c> thaws it, <c>stop</c> sends SIGTERM to the
/// tree and SIGKILL after <c>Tasks:TimeoutGrace</c>. Its exit is judged by <see cref="EndAsync"/>.
/// </summary>
public sealed class CommandRun(long pid, int root, string token, CommandOptions command, RunnerCalls calls,
    SignalReader signals, IServiceScopeFactory scopes, TimeSpan grace, ILogger logger)
{
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _exited = new();
    private long _done, _total;
    private bool _sleeping;
    private DateTime? _termAt;
    private List<ProcessTree.Stat> _lastTree = [];

    public bool Stopping => _termAt is not null;

    /// <summary>A line of the program's stdout or stderr: a progress line, or one for the task log.</summary>
    public bool TryProgress(string line)
    {
        if (!line.StartsWith("::progress ", StringComparison.Ordinal)) return false;
        var value = line["::progress ".Length..].Trim();
        var slash = value.IndexOf('/');
        var doneText = slash < 0 ? value : value[..slash];
        if (!long.TryParse(doneText, NumberStyles.None, CultureInfo.InvariantCulture, out var done)) return false;
        long total = Interlocked.Read(ref _total);
        if (slash >= 0 && !long.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out total))
            return false;
        Interlocked.Exchange(ref _total, Math.Max(total, done));
        Interlocked.Exchange(ref _done, done);
        return true;
    }

    /// <summary>Runs until the program exits: the heartbeat with progress and memory, and the signals for <c>os</c>.</summary>
    public async Task SuperviseAsync()
    {
        var ct = _exited.Token;
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
                await calls.StartAsync(Db(scope), pid, ct); // the program does not say `started`: its start is ours
            while (!ct.IsCancellationRequested)
            {
                BackgroundTaskStatus? status = null;
                if (command.SignalsOverHttp) await Task.Delay(Beat, ct);
                else if (await signals.ReadAsync(pid, consume: true, Beat, knownVersion: null, ct) is { } read)
                    foreach (var signal in read.Signals)
                        status = await ApplyAsync(signal.Signal) ?? status;
                if (_termAt is { } at && DateTime.UtcNow >= at + grace) ProcessTree.SignalAll(root, ProcessTree.SigKill);
                await ReportAsync(status, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e)
        {
            logger.LogError(e, "Task {Pid}: supervising its command failed", pid);
        }
    }

    private async Task<BackgroundTaskStatus?> ApplyAsync(string signal)
    {
        switch (signal)
        {
            case SignalNames.Sleep when !_sleeping:
                ProcessTree.Freeze(root);
                _sleeping = true;
                return BackgroundTaskStatus.Sleeping;
            case SignalNames.Continue when _sleeping:
                ProcessTree.Thaw(root);
                _sleeping = false;
                return BackgroundTaskStatus.Running;
            case SignalNames.Stop when _termAt is null:
                _termAt = DateTime.UtcNow;
                ProcessTree.SignalAll(root, ProcessTree.SigTerm);
                // A frozen tree holds the SIGTERM until it is continued: it is continued so that it can act on it.
                if (_sleeping) ProcessTree.Thaw(root);
                _sleeping = false;
                await LogAsync("stop: SIGTERM sent to the process tree");
                return BackgroundTaskStatus.Running;
            case SignalNames.Sleep or SignalNames.Continue or SignalNames.Stop:
                return null;
            default:
                await LogAsync($"signal {signal} is not deliverable to a command with Signals: os (only sleep, continue, stop)");
                return null;
        }
    }

    private async Task ReportAsync(BackgroundTaskStatus? status, CancellationToken ct)
    {
        // With Signals: http the program reports its own progress and state: the heartbeat must not undo them.
        if (command.SignalsOverHttp && status is null && Interlocked.Read(ref _total) == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var tree = ProcessTree.Walk(root);
        if (tree.Count > 0) _lastTree = tree;
        long? memory = tree.Count == 0 ? null : tree.Sum(p => p.RssBytes);
        await calls.ReportAsync(Db(scope), pid,
            new StateReport(Interlocked.Read(ref _total), Interlocked.Read(ref _done), status, memory, memory), ct);
    }

    private async Task LogAsync(string line)
    {
        await using var scope = scopes.CreateAsyncScope();
        await calls.AppendLogAsync(Db(scope), pid, [line], CancellationToken.None);
    }

    /// <summary>
    /// The program exited: the task is over, and what it left running (a child orphaned by a kill from outside, out
    /// of the tree now, holding the output pipes open) goes with it. Such a process is known by the task's token in
    /// its environment (inherited from the program; no other task has it), else by the last walk (at most a second
    /// old). One read of each process's environ, at the end only.
    /// </summary>
    public void EndLeftovers()
    {
        var mark = $"BGTASK_TOKEN={token}";
        var left = _lastTree.Select(p => p.Pid).Where(p => p != root && ProcessTree.Read(p) is not null).ToHashSet();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var other) ||
                other == root || other == Environment.ProcessId)
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(mark)) left.Add(other);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        foreach (var process in left) ProcessTree.Signal(process, ProcessTree.SigStop);
        foreach (var process in left) ProcessTree.Signal(process, ProcessTree.SigKill);
    }

    /// <summary>The program exited: exit 0 is finished, N is error "exit code N", a signal from outside is named.</summary>
    public async Task EndAsync(int? code)
    {
        await _exited.CancelAsync();

        await using var scope = scopes.CreateAsyncScope();
        var db = Db(scope);
        if (Interlocked.Read(ref _total) > 0)
            await calls.ReportAsync(db, pid, new StateReport(Interlocked.Read(ref _total), Interlocked.Read(ref _done),
                null, null, null), CancellationToken.None);
        var (status, message) = code switch
        {
            _ when _termAt is not null => (BackgroundTaskStatus.Stopped, "stopped by signal"),
            0 => (BackgroundTaskStatus.Finished, (string?)null),
            // .NET reports death by signal N as 128 + N.
            > 128 and < 160 => (BackgroundTaskStatus.Error, $"killed by signal {SignalName(code.Value - 128)}"),
            { } n => (BackgroundTaskStatus.Error, $"exit code {n}"),
            null => (BackgroundTaskStatus.Error, "worker lost"),
        };
        var change = await calls.EndAsync(db, pid, status, message, CancellationToken.None);
        if (change.Outcome == ChangeOutcome.Changed)
            await calls.AppendLogAsync(db, pid, [message is null ? "finish" : $"{Name(status)} {message}"], CancellationToken.None);
    }

    private static string Name(BackgroundTaskStatus status) => status.ToString().ToLowerInvariant();

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP", 2 => "SIGINT", 3 => "SIGQUIT", 6 => "SIGABRT", 9 => "SIGKILL", 11 => "SIGSEGV",
        13 => "SIGPIPE", 14 => "SIGALRM", 15 => "SIGTERM",
        _ => $"{signal}",
    };

    private static BgtaskDbContext Db(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
}
