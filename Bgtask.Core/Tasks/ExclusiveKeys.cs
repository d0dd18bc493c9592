using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bgtask.Core.Tasks;

/// <summary>
/// The contract's <c>exclusive</c> (the original's cron lock): while a live task holds a key, no other launch or
/// record gets it. The unique index on <see cref="BackgroundTask.ExclusiveHeld"/> decides between concurrent
/// launches, on every node; terminal updates set it to null, so the key is free however the holder ends.
/// </summary>
public static partial class ExclusiveKeys
{
    public const string Rule = "'exclusive' is true (the task's name) or a key of 1-200 characters of [A-Za-z0-9_.:-].";

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,200}$")]
    private static partial Regex KeyPattern();

    public static bool IsKey(string? value) => value is not null && KeyPattern().IsMatch(value);

    /// <summary>Whether the wire value is acceptable for a task of this name (null and false mean none).</summary>
    public static bool IsValid(JsonElement? exclusive, string? task) => exclusive?.ValueKind switch
    {
        null or JsonValueKind.Null or JsonValueKind.False => true,
        JsonValueKind.True => IsKey(task),
        JsonValueKind.String => IsKey(exclusive.Value.GetString()),
        _ => false,
    };

    /// <summary>The key a valid wire value asks for: the task's name for <c>true</c>, the string itself, or null.</summary>
    public static string? Resolve(JsonElement? exclusive, string task) => exclusive?.ValueKind switch
    {
        JsonValueKind.True => task,
        JsonValueKind.String => exclusive.Value.GetString(),
        _ => null,
    };
}

/// <summary>A key held by the live task <paramref name="Holder"/>.</summary>
public sealed record ExclusiveHeld(string Key, long Holder);
