using Bgtask.Api.Events;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Bgtask.Tests.Events;

/// <summary>The ring buffer behind Last-Event-ID: exact replay while the id is in it, a snapshot once it is not.</summary>
public sealed class TaskEventHubTests
{
    private static TaskEventHub Hub(int size = 16, long bytes = 64 * 1024) =>
        new(Options.Create(new EventOptions { BufferSize = size, BufferBytes = bytes }), Options.Create(new HttpJsonOptions()));

    private static void PublishMany(TaskEventHub hub, int count, long pid = 1, string text = "x")
    {
        for (var i = 0; i < count; i++) hub.Publish("log", pid, new { text });
    }

    [Fact]
    public void Resume_FromAnIdInTheBuffer_ReplaysTheRestOfThatTaskOnly()
    {
        var hub = Hub();
        PublishMany(hub, 3, pid: 1);
        PublishMany(hub, 2, pid: 2);
        PublishMany(hub, 1, pid: 1);

        using var subscription = hub.Subscribe(1, hub.IdOf(2));

        Assert.False(subscription.NeedsSnapshot);
        Assert.Equal([3L, 6L], subscription.Backlog.Select(e => e.Seq));
    }

    [Fact]
    public void Resume_FromTheNewestId_ReplaysNothing()
    {
        var hub = Hub();
        PublishMany(hub, 5);
        using var subscription = hub.Subscribe(null, hub.IdOf(5));
        Assert.False(subscription.NeedsSnapshot);
        Assert.Empty(subscription.Backlog);
    }

    [Fact]
    public void Resume_FromAnIdPushedOutOfTheRing_NeedsASnapshot()
    {
        var hub = Hub(size: 16);
        PublishMany(hub, 40);

        Assert.True(hub.Subscribe(null, hub.IdOf(3)).NeedsSnapshot);
        var recent = hub.Subscribe(null, hub.IdOf(30));
        Assert.False(recent.NeedsSnapshot);
        Assert.Equal(Enumerable.Range(31, 10).Select(i => (long)i), recent.Backlog.Select(e => e.Seq));
    }

    [Fact]
    public void Resume_FromAnIdPushedOutByBigEvents_NeedsASnapshot()
    {
        var hub = Hub(size: 1000, bytes: 4096);
        PublishMany(hub, 10, text: new string('x', 1000));

        Assert.True(hub.Subscribe(null, hub.IdOf(2)).NeedsSnapshot);
        Assert.False(hub.Subscribe(null, hub.IdOf(9)).NeedsSnapshot);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("0000.1")]
    [InlineData("")]
    public void Resume_FromAnotherInstancesOrUnreadableId_NeedsASnapshot(string id)
    {
        var hub = Hub();
        PublishMany(hub, 3);
        Assert.True(hub.Subscribe(null, id).NeedsSnapshot);
    }

    [Fact]
    public void Subscriber_GetsLiveEventsOfItsTask()
    {
        var hub = Hub();
        using var subscription = hub.Subscribe(7, null);
        PublishMany(hub, 1, pid: 8);
        PublishMany(hub, 1, pid: 7);

        Assert.True(subscription.Live.TryRead(out var e));
        Assert.Equal(7, e.Pid);
        Assert.False(subscription.Live.TryRead(out _));
    }
}
