using System.Globalization;

namespace Bgtask.Cli.Output;

/// <summary>Numbers as people read them: bytes in KiB/MiB/GiB, seconds as 1m05s, rates per second.</summary>
public static class Units
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? Invariant($"{bytes} B") : Invariant($"{value:0.0} {units[unit]}");
    }

    public static string Duration(double? seconds)
    {
        if (seconds is not { } s || double.IsNaN(s) || s < 0) return "-";
        var span = TimeSpan.FromSeconds(Math.Round(s, s < 10 ? 1 : 0));
        if (span.TotalHours >= 1) return Invariant($"{(int)span.TotalHours}h{span.Minutes:00}m");
        if (span.TotalMinutes >= 1) return Invariant($"{span.Minutes}m{span.Seconds:00}s");
        return s < 10 ? Invariant($"{s:0.0}s") : Invariant($"{span.Seconds}s");
    }

    public static string Rate(double? perSecond) => perSecond is { } r ? Invariant($"{r:0.##}/s") : "-";

    public static string Percent(double progress) => Invariant($"{progress * 100:0}%");

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
