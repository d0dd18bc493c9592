using System.ComponentModel;
using System.Diagnostics;
using Bgtask.Api.OpenApi;
using Bgtask.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Bgtask.Tests.OpenApi;

/// <summary>
/// The published document through Redocly's linter (scripts/checks/openapi: the pinned version, the recommended
/// rules and the examples checked against their schemas). Needs Node.js; fails, never skips, without it.
/// </summary>
public sealed class OpenApiLintTests(BgtaskApiFactory<SqliteTarget> api, ITestOutputHelper output)
    : ApiTests<SqliteTarget>(api)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task SwaggerDocument_PassesTheRedoclyLinter()
    {
        var folder = Directory.CreateTempSubdirectory("bgtask-openapi-");
        try
        {
            var file = Path.Combine(folder.FullName, "swagger.json");
            await File.WriteAllTextAsync(file, await Client.GetStringAsync(SwaggerSetup.DocumentPath));

            var (exit, text) = await LintAsync(file);
            output.WriteLine(text);
            Assert.True(exit == 0, $"redocly lint exited with {exit}:\n{text}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Output)> LintAsync(string file)
    {
        var checks = Path.Combine(Repository.Root, "scripts", "checks", "openapi");
        // The version of package.json: npx takes the copy `npm ci` installed there (scripts/test.sh does), else fetches it.
        var start = new ProcessStartInfo("npx")
        {
            WorkingDirectory = checks,
            ArgumentList = { "--yes", "@redocly/cli@2.77.0", "lint", "--config", "redocly.yaml", file },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true", ["NO_COLOR"] = "1" },
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"npx could not be started ({e.Message}): this test needs Node.js with npm on the PATH.");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"redocly lint did not finish within {Limit}.");
            }
            return (process.ExitCode, (await stdout) + (await stderr));
        }
    }
}
