using System.Text.RegularExpressions;

namespace Bgtask.Core.Tasks;

/// <summary>The built-in signals (the original's 1, 2, 3) and the shape every signal name must have.</summary>
public static partial class SignalNames
{
    public const string Sleep = "sleep";
    public const string Continue = "continue";
    public const string Stop = "stop";

    [GeneratedRegex("^[a-z][a-z0-9_.-]{0,63}$")]
    public static partial Regex Pattern();

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);
}
