using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Commands;

/// <summary>
/// The service with the test scripts of Commands/scripts registered as command tasks (beside the demo commands of
/// appsettings.json), on SQLite, with a quick sweep and a short stop grace.
/// </summary>
public sealed class CommandApiFactory : WorkerApiFactory<SqliteTarget>
{
    public static readonly string[] Scripts = ["tree", "exit", "lines", "memory"];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        Scripts.SelectMany(name => new KeyValuePair<string, string?>[]
        {
            new($"Tasks:Commands:test.{name}:Path", "/bin/sh"),
            new($"Tasks:Commands:test.{name}:Args:0", Path.Combine(AppContext.BaseDirectory, "Commands", "scripts", $"{name}.sh")),
            new($"Tasks:Commands:test.{name}:Description", $"the {name} test script"),
        }).Concat(
        [
            new("Tasks:SweepInterval", "00:00:00.2"),
            new("Tasks:TimeoutGrace", "00:00:03"),
        ]);
}
