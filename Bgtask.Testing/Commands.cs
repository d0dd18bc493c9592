using System.Diagnostics;

namespace Bgtask.Testing;

/// <summary>Finding and running the short-lived MariaDB programs (install-db, the client, the admin tool).</summary>
internal static class Commands
{
    private static readonly string[] BinaryFolders = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

    /// <summary>The program in PATH or in the usual binary folders (sbin is often missing from PATH).</summary>
    public static string Find(string name) => Find(name,
        $"{name} was not found: the MariaDB tests and the bench need a MariaDB server. Install the mariadb-server " +
        "package (apt-get install -y mariadb-server; scripts/test.sh does it), or give the tests a ready server in " +
        "BGTASK_TEST_MYSQL (a server connection string whose user may create `bgtask%` databases).");

    /// <summary>As <see cref="Find(string)"/>, with what to say when it is missing (which package to install).</summary>
    public static string Find(string name, string whenMissing) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Concat(BinaryFolders)
        .Select(folder => Path.Combine(folder, name))
        .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(whenMissing);

    /// <summary>Runs a program to its end (at most three minutes: a loaded machine is slow) and returns its standard output; a non-zero exit throws
    /// with what it printed.</summary>
    public static string Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill();
            throw new InvalidOperationException($"{file} did not finish within 3 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{file} failed with exit code {process.ExitCode}:\n{output.Result}\n{error.Result}");
        return output.Result;
    }
}
