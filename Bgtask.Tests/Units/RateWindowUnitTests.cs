using Bgtask.Core.Tasks;

namespace Bgtask.Tests.Units;

/// <summary>The rate over a sliding window of reports: at least a second wide, moving up after about ten.</summary>
public sealed class RateWindowUnitTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static BackgroundTask Task(long? sinceOps, DateTime? sinceAt, double? rate = null, long opFinished = 0,
        DateTime? heartbeatAt = null) => new()
    {
        Task = "unit",
        RateSinceOps = sinceOps,
        RateSinceAt = sinceAt,
        Rate = rate,
        OpFinished = opFinished,
        HeartbeatAt = heartbeatAt,
    };

    [Fact]
    public void FirstReport_HasNoRate_AndOpensTheWindowAtItself()
    {
        var sample = RateWindow.Next(Task(null, null), opFinished: 40, Start);

        Assert.Equal(new RateWindow.Sample(null, 40, Start), sample);
    }

    [Fact]
    public void CountGoingBackwards_ReopensTheWindow()
    {
        var sample = RateWindow.Next(Task(100, Start, rate: 5), opFinished: 10, Start.AddSeconds(3));

        Assert.Equal(new RateWindow.Sample(null, 10, Start.AddSeconds(3)), sample);
    }

    [Fact]
    public void WithinTheFirstSecond_KeepsThePreviousRateAndWindow()
    {
        var sample = RateWindow.Next(Task(100, Start, rate: 7.5), opFinished: 150, Start.AddMilliseconds(900));

        Assert.Equal(new RateWindow.Sample(7.5, 100, Start), sample);
    }

    [Fact]
    public void PastTheFirstSecond_RateIsOperationsOverSecondsSinceTheWindowOpened()
    {
        var sample = RateWindow.Next(Task(100, Start), opFinished: 300, Start.AddSeconds(4));

        Assert.Equal(new RateWindow.Sample(50, 100, Start), sample);
    }

    [Fact]
    public void PastTheMaximumWindow_StartMovesUpToThePreviousReport()
    {
        var previous = Start.AddSeconds(11);
        var task = Task(0, Start, opFinished: 500, heartbeatAt: previous);

        var sample = RateWindow.Next(task, opFinished: 600, Start.AddSeconds(12));

        // The rate still spans the old window; the next one is measured from the previous report.
        Assert.Equal(new RateWindow.Sample(50, 500, previous), sample);
    }

    [Fact]
    public void PastTheMaximumWindow_WithNoReportSinceItOpened_KeepsTheStart()
    {
        var sample = RateWindow.Next(Task(0, Start, heartbeatAt: Start), opFinished: 120, Start.AddSeconds(12));

        Assert.Equal(new RateWindow.Sample(10, 0, Start), sample);
    }
}
