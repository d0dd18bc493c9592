using Bgtask.Tests.Faults;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Packaging;

/// <summary>
/// What the container image ships: scripts/publish.sh (the Dockerfile's publish step) run once into a temp folder,
/// and the service started from there, from another working directory (the temp root), as the image's ENTRYPOINT
/// starts it. Dispose stops the service and its workers by pid and deletes the folder.
/// </summary>
public sealed class PublishedService : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("bgtask-publish-").FullName;

    public ServiceProcess Service { get; private set; } = null!;

    /// <summary>The worker executable the service finds beside itself: the native one, if the publish is right.</summary>
    public string Worker => Path.Combine(Folder, "Bgtask.Worker");

    public async Task InitializeAsync()
    {
        (await Command.RunAsync(Path.Combine(Repository.Root, "scripts", "publish.sh"), [Folder], Repository.Root,
            TimeSpan.FromMinutes(20))).Succeeded("scripts/publish.sh");
        Service = new ServiceProcess(new Dictionary<string, string> { ["Worker:RetryWindow"] = "00:00:30" },
            folder: Folder, workingDirectory: Path.GetTempPath());
        await Service.StartAsync(TimeSpan.FromSeconds(90));
    }

    public Task DisposeAsync()
    {
        Service?.Dispose();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}
