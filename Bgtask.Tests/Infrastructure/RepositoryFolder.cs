namespace Bgtask.Tests.Infrastructure;

public static class RepositoryFolder
{
    /// <summary>The folder of Bgtask.sln, above the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bgtask.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Bgtask.sln not found above the test binaries.");
        }
    }
}
