using System.Diagnostics;
using Bgtask.Api.Runners;
using Bgtask.Tests.Client;

namespace Bgtask.Tests.Freeze;

/// <summary>
/// The whole tree means the whole tree: a shell with children (and grandchildren, and children it keeps forking
/// while the freeze runs) is stopped, continued and killed with all of them.
/// </summary>
public sealed class ProcessTreeTests : IDisposable
{
    private readonly List<Process> _started = [];

    private Process Shell(string script)
    {
        var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { UseShellExecute = false })!;
        _started.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            ProcessTree.Thaw(process.Id);
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.Dispose();
        }
    }

    [Fact]
    public async Task FreezeThawAndKill_AShellWithChildrenAndGrandchildren_ReachEveryProcess()
    {
        var shell = Shell("sleep 300 & sleep 300 & (sleep 300 & wait) & wait");
        await Eventually.TrueAsync(() => Task.FromResult(Freezing.Tree(shell.Id).Count >= 5), "the shell's four descendants");
        var tree = Freezing.Tree(shell.Id);

        ProcessTree.Freeze(shell.Id);
        await Eventually.TrueAsync(() => Task.FromResult(Freezing.AllStopped(tree)), "every process in state T");
        Assert.Equal(tree.Order(), Freezing.Tree(shell.Id).Order());

        ProcessTree.Thaw(shell.Id);
        await Eventually.TrueAsync(() => Task.FromResult(tree.All(p => Freezing.Stat(p) is { State: 'S' or 'R' })),
            "every process running (or sleeping in the kernel) again");

        ProcessTree.Freeze(shell.Id);
        ProcessTree.SignalAll(shell.Id, ProcessTree.SigKill);
        await Eventually.TrueAsync(() => Task.FromResult(tree.All(p => Freezing.Stat(p) is null or { State: 'Z' })),
            "every process of the frozen tree killed");
    }

    [Fact]
    public async Task Freeze_AShellForkingAllTheTime_CatchesTheChildrenForkedMidFreeze()
    {
        var shell = Shell("while :; do sleep 2 & sleep 0.01; done");
        await Eventually.TrueAsync(() => Task.FromResult(Freezing.Tree(shell.Id).Count > 20), "a crowd of children");

        ProcessTree.Freeze(shell.Id);
        await Eventually.TrueAsync(() => Task.FromResult(Freezing.AllStopped(Freezing.Tree(shell.Id))),
            "every process of the tree, however new, in state T");
        var count = Freezing.Tree(shell.Id).Count;
        // A stopped shell forks no more: the tree stays as it was (children stopped mid-sleep do not exit either).
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(count, Freezing.Tree(shell.Id).Count);
        Assert.True(Freezing.AllStopped(Freezing.Tree(shell.Id)));
    }

    [Fact]
    public async Task Memory_OfAShellWhoseChildHolds100MB_CountsTheChild()
    {
        // The child holds about 100 MB resident (a string of 100 MB in python, touched) while the shell holds little.
        var shell = Shell("python3 -c 'import time; b = bytearray(100 * 1024 * 1024); b[::4096] = b\"x\" * len(b[::4096]); time.sleep(300)' & wait");
        await Eventually.TrueAsync(() => Task.FromResult(ProcessTree.Memory(shell.Id) > 100L * 1024 * 1024),
            "the tree's memory to count the child's 100 MB");
        Assert.True(ProcessTree.Read(shell.Id)!.Value.RssBytes < 50L * 1024 * 1024, "the shell alone holds little");
    }
}
