using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Cli;

/// <summary>The service with an API key configured, so even a loopback caller needs one.</summary>
public sealed class KeyedWorkerApiFactory : WorkerApiFactory<SqliteTarget>
{
    public const string AdminKey = "cli-test-admin-key";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Auth:ApiKeys:0:Name", "cli"),
        new("Auth:ApiKeys:0:Key", AdminKey),
        new("Auth:ApiKeys:0:Role", "Admin"),
    ];
}

/// <summary><c>--api-key</c> and <c>BGTASK_API_KEY</c> against a service that requires a key.</summary>
public sealed class CliAuthTests(KeyedWorkerApiFactory api) : IClassFixture<KeyedWorkerApiFactory>
{
    [Fact]
    public async Task WithoutAKey_Exits3With401()
    {
        var result = await new BgtaskCli(api.Address).RunAsync("ls");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("bgtask: 401", result.Stderr);
    }

    [Fact]
    public async Task WithTheKey_ByOptionOrEnvironment_Works()
    {
        var byOption = await new BgtaskCli(api.Address).RunAsync("--api-key", KeyedWorkerApiFactory.AdminKey,
            "launch", "demo.count", "--set", "total=2", "--set", "delayMs=10", "--wait");
        var byEnvironment = await new BgtaskCli(api.Address, KeyedWorkerApiFactory.AdminKey).RunAsync("types");

        Assert.True(byOption.ExitCode == 0, byOption.ToString());
        Assert.True(byEnvironment.ExitCode == 0, byEnvironment.ToString());
        Assert.Contains("demo.count", byEnvironment.Stdout);
    }
}
