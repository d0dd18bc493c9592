using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Packaging;

/// <summary>
/// The Dockerfile, docker-compose.yml and docker-compose.cluster.yml (with its haproxy configuration), checked without a Docker engine (there is none here) by the pinned npm tools
/// of scripts/checks/docker, which scripts/test.sh installs there with <c>npm ci</c>.
/// </summary>
public sealed class DockerFileTests
{
    private static readonly string Checks = Path.Combine(Repository.Root, "scripts", "checks", "docker");

    [Fact]
    public async Task Dockerfile_PassesDockerfilelint()
    {
        var linter = Path.Combine(Checks, "node_modules", ".bin", "dockerfilelint");
        Assert.True(File.Exists(linter), $"{linter} is missing: npm ci in scripts/checks/docker (scripts/test.sh does).");

        var lint = await Command.RunAsync(linter, [Path.Combine(Repository.Root, "Dockerfile")], Checks, TimeSpan.FromMinutes(2));

        lint.Succeeded("dockerfilelint");
        Assert.Contains("None found", lint.Output);
    }

    [Theory]
    [InlineData("docker-compose.yml")]
    [InlineData("docker-compose.cluster.yml")]
    public async Task ComposeFile_IsValidAgainstTheComposeSpecification(string file)
    {
        Assert.True(Directory.Exists(Path.Combine(Checks, "node_modules", "ajv")),
            "scripts/checks/docker/node_modules is missing: npm ci there (scripts/test.sh does).");

        var check = await Command.RunAsync("node", ["check-compose.mjs", Path.Combine(Repository.Root, file)],
            Checks, TimeSpan.FromMinutes(2));

        check.Succeeded("the compose schema check");
        Assert.Contains("valid against the Compose Specification", check.Output);
    }

    [Fact]
    public async Task ClusterHaproxyConfig_PassesHaproxysCheck()
    {
        // The compose services' names do not resolve here: the file's init-addr lets the check pass regardless.
        var check = await Command.RunAsync(Haproxy.Program, ["-c", "-f", Path.Combine(Repository.Root, "deploy", "haproxy.cfg")],
            Repository.Root, TimeSpan.FromMinutes(1));

        check.Succeeded("haproxy -c");
        Assert.Contains("Configuration file is valid", check.Output);
    }

    [Fact]
    public void ClusterComposeFile_MountsTheConfigsThatExist()
    {
        var compose = File.ReadAllText(Path.Combine(Repository.Root, "docker-compose.cluster.yml"));

        foreach (var config in new[] { "deploy/haproxy.cfg", "deploy/galera.cnf" })
        {
            Assert.Contains($"./{config}:", compose);
            Assert.True(File.Exists(Path.Combine(Repository.Root, config)), $"{config} is missing");
        }
    }

    [Fact]
    public void Dockerfile_PublishesWithTheScriptTheTestsRun()
    {
        // PublishedServiceTests exercise scripts/publish.sh: that is only the image's build if the Dockerfile runs it.
        var dockerfile = File.ReadAllLines(Path.Combine(Repository.Root, "Dockerfile"));

        Assert.Contains(dockerfile, line => line.Trim() == "RUN scripts/publish.sh /app");
        Assert.DoesNotContain(dockerfile, line => line.Contains("dotnet publish", StringComparison.Ordinal) && !line.TrimStart().StartsWith('#'));
    }
}
