using System.Net;

namespace Bgtask.Tests.Client;

public static class HeldReads
{
    /// <summary>
    /// Replaces the task's config until the held <paramref name="read"/> answers, and returns its answer. A read
    /// counts changes from its own first look at the task; on a loaded machine that look can come after the first
    /// change, so that read waits for the next one.
    /// </summary>
    public static async Task<SignalsRead> ChangeConfigUntilAnsweredAsync(this HttpClient client, long pid,
        Task<SignalsRead> read)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        for (var change = 1; ; change++)
        {
            await (await client.PutConfigAsync(pid, new { change })).ShouldBeAsync(HttpStatusCode.OK);
            if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(2))) == read) return await read;
            if (DateTime.UtcNow > deadline) Assert.Fail("Timed out waiting for the held read to answer a config change.");
        }
    }
}
