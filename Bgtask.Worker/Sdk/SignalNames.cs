namespace Bgtask.Worker.Sdk;

/// <summary>The three signals the check-point applies itself (the contract's; any other name is custom).</summary>
public static class SignalNames
{
    public const string Sleep = "sleep";
    public const string Continue = "continue";
    public const string Stop = "stop";
}
