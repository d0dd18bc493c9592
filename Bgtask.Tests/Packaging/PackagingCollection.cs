namespace Bgtask.Tests.Packaging;

/// <summary>
/// The publish of what the image ships (minutes of Native AOT compilation on two cores): run alone, so it neither
/// starves the other tests of the machine nor is starved by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection
{
    public const string Name = "Packaging";
}
