namespace Bgtask.Tests.Client;

/// <summary>Waiting for asynchronous outcomes: polling with a deadline, never a bare delay.</summary>
public static class Eventually
{
    /// <summary>Generous: on a loaded 2-core machine a request can take seconds. Held reads in tests wait 60 s.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> at the deadline.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Awaits a task that must end by the deadline; a hang fails the test instead of stalling the run.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        var finished = await Task.WhenAny(task, Task.Delay(timeout ?? DefaultTimeout));
        if (finished != task) Assert.Fail($"Timed out waiting for {what}.");
        return await task;
    }

    /// <summary>
    /// True when <paramref name="task"/> is still running after <paramref name="grace"/>: how a test shows that a
    /// request is being held. Only ever asserted true, so a slow machine cannot make it fail.
    /// </summary>
    public static async Task<bool> StillPendingAfterAsync(Task task, TimeSpan grace)
    {
        await Task.WhenAny(task, Task.Delay(grace));
        return !task.IsCompleted;
    }
}
