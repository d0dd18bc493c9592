using Bgtask.Worker;
using Bgtask.Worker.Client;
using Bgtask.Worker.Sdk;

Console.SetOut(new ResilientConsoleWriter(Console.Out));
Console.SetError(new ResilientConsoleWriter(Console.Error));

var catalog = TaskCatalog.WithDemos();
if (Environment.GetEnvironmentVariable("BGTASK_PLUGIN_PATHS") is { Length: > 0 } plugins)
    catalog.AddPlugins(plugins.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
return await WorkerHost.RunAsync(args, catalog);
