namespace Bgtask.Tests.Faults;

/// <summary>
/// The slow process-level fault tests (a service or a database killed and started again): one collection, run
/// alone, so they neither starve each other nor the rest of the run of the machine's two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessFaultsCollection
{
    public const string Name = "Process faults";
}
