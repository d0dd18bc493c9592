using Bgtask.Core.Tasks;

namespace Bgtask.Tests.History;

/// <summary>The spacing and halving rules of a task's history, on their own.</summary>
public sealed class HistorySeriesTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(500, 1)]
    [InlineData(501, 2)]
    [InlineData(1000, 2)]
    [InlineData(1001, 4)]
    [InlineData(7 * 24 * 3600, 2048)]
    public void Spacing_DoublesAsTheTaskAges_SoHalfTheCapSpansItsLife(int ageSeconds, int spacingSeconds) =>
        Assert.Equal(spacingSeconds * Second, HistorySeries.Spacing(ageSeconds * Second, Second, 1000));

    [Fact]
    public void Thinned_HalvesTheReportPoints_KeepingTheFirstTheLastAndEveryStatusChange()
    {
        // Points 1..10; 1, 4 and 7 are status changes.
        var series = Enumerable.Range(1, 10).Select(i => ((long)i, i is 1 or 4 or 7)).ToList();

        var deleted = HistorySeries.Thinned(series, 10);

        Assert.Equal([3L, 6L, 9L], deleted);
    }

    [Fact]
    public void Thinned_TooManyStatusChanges_DropsTheOldestButTheFirst()
    {
        var series = Enumerable.Range(1, 10).Select(i => ((long)i, true)).ToList();

        var deleted = HistorySeries.Thinned(series, 10);

        Assert.Equal([2L, 3L, 4L, 5L, 6L], deleted);
    }
}
