namespace Bgtask.Core.Tasks;

/// <summary>
/// The two rules that keep a task's history bounded while it covers the whole life: the spacing of report points
/// grows with the task's age, and a series that reaches its cap is halved.
/// </summary>
public static class HistorySeries
{
    /// <summary>
    /// The least time between two report points of a task <paramref name="age"/> old: <paramref name="min"/>,
    /// doubled until half the cap of points spans the age. Derived, not stored, so every replica that stores a
    /// report agrees on it.
    /// </summary>
    public static TimeSpan Spacing(TimeSpan age, TimeSpan min, int maxPoints)
    {
        if (min <= TimeSpan.Zero) return TimeSpan.Zero;
        var spacing = min;
        var half = Math.Max(1, maxPoints / 2);
        while (spacing * half < age) spacing *= 2;
        return spacing;
    }

    /// <summary>
    /// The points to delete from a series (oldest first) that reached <paramref name="maxPoints"/>: every other
    /// report point, the first and last points kept, status-change points never while they are at most half the
    /// cap; past that the oldest of them go (the first point stays: the series still starts at the task's creation).
    /// </summary>
    public static List<long> Thinned(IReadOnlyList<(long Id, bool StatusChange)> series, int maxPoints)
    {
        var deleted = new List<long>();
        if (series.Count < 3) return deleted;
        var odd = false;
        for (var i = 1; i < series.Count - 1; i++)
        {
            if (series[i].StatusChange) continue;
            if (odd) deleted.Add(series[i].Id);
            odd = !odd;
        }
        // Status changes are kept up to half the cap; past that the oldest go (the first point stays).
        var statusLeft = series.Count(p => p.StatusChange);
        var allowed = Math.Max(1, maxPoints / 2);
        for (var i = 1; i < series.Count - 1 && statusLeft > allowed; i++)
        {
            if (!series[i].StatusChange) continue;
            deleted.Add(series[i].Id);
            statusLeft--;
        }
        return deleted;
    }
}
