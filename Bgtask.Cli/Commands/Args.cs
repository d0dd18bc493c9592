using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Bgtask.Cli.Commands;

/// <summary>
/// Arguments and options several commands share. Numbers are parsed here, range included, so a bad one is a
/// parse error (exit 64) with the argument's name, never an exception from a validator reading it.
/// </summary>
public static class Args
{
    public static Argument<long> Pid() => new("pid")
    {
        Description = "The task's pid",
        CustomParser = r => Number(r, "pid", 1, long.MaxValue) ?? 0,
    };

    /// <summary>An optional whole-number option between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static Option<int?> Int(string name, string description, string helpName, int min, int max) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = r => (int?)Number(r, name, min, max),
    };

    private static long? Number(ArgumentResult result, string name, long min, long max)
    {
        var text = result.Tokens[^1].Value;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        result.AddError(max == long.MaxValue || max == int.MaxValue
            ? $"{name}: '{text}' is not a whole number of at least {min}."
            : $"{name}: '{text}' is not a whole number from {min} to {max}.");
        return null;
    }
}
