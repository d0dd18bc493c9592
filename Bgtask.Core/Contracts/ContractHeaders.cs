namespace Bgtask.Core.Contracts;

public static class ContractHeaders
{
    /// <summary>Carried by every 200 of the signals route: the task's current config version.</summary>
    public const string ConfigVersion = "Bgtask-Config-Version";
}
