using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Bgtask.Worker;
using Bgtask.Worker.Client;
using Bgtask.Worker.Sdk;

Console.SetOut(new ResilientConsoleWriter(Console.Out));
Console.SetError(new ResilientConsoleWriter(Console.Error));

var catalog = TaskCatalog.WithDemos();
if (Environment.GetEnvironmentVariable("BGTASK_PLUGIN_PATHS") is { Length: > 0 } plugins)
{
    if (RuntimeFeature.IsDynamicCodeSupported) AddPlugins(catalog, plugins);
    else Console.Error.WriteLine("bgtask-worker: a Native AOT worker cannot load plugin assemblies; it runs its built-in tasks only.");
}
return await WorkerHost.RunAsync(args, catalog);

// Published with Native AOT (dotnet publish -p:PublishAot=true) the worker starts like a native program and
// knows only the tasks compiled into it; a user's own executable referencing Bgtask.Worker does the same.
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only called where dynamic code (the JIT) is available.")]
static void AddPlugins(TaskCatalog catalog, string paths) =>
    catalog.AddPlugins(paths.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
