namespace Bgtask.Tests.Infrastructure;

/// <summary>The source tree the tests were built from.</summary>
public static class Repository
{
    /// <summary>The folder of Bgtask.sln, above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bgtask.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Bgtask.sln not found above the test binaries.");
    }
}
