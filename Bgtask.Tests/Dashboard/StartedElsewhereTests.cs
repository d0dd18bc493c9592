using Bgtask.Tests.Client;
using Bgtask.Tests.Faults;

namespace Bgtask.Tests.Dashboard;

/// <summary>
/// The built service started as <c>dotnet Bgtask.Api.dll</c> from a folder that is not its own (the repository root,
/// say): the dashboard and appsettings.json are found beside the assembly, not in the working directory.
/// </summary>
[Collection(ProcessFaultsCollection.Name)]
public sealed class StartedElsewhereTests
{
    [Fact]
    public async Task BuiltService_StartedFromAnotherFolder_ServesTheDashboardAndReadsItsSettings()
    {
        var elsewhere = Directory.CreateTempSubdirectory("bgtask-cwd-");
        try
        {
            using var service = new ServiceProcess(workingDirectory: elsewhere.FullName);
            await service.StartAsync(TimeSpan.FromSeconds(60));

            await DashboardFiles.AssertServedAsync(service.Client);
            // appsettings.json's console sink (its output template) writes the start-up warning: the file was read.
            await Eventually.TrueAsync(() => Task.FromResult(service.Output.Contains("WRN] Bgtask.Auth: No API keys are configured")),
                "the service logs through the console sink of its appsettings.json");
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }
}
