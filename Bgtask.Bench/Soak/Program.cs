using System.Globalization;
using Bgtask.Bench.Soak;
using Bgtask.Worker;
using Bgtask.Worker.Sdk;

// Launched like any worker (BGTASK_PID, BGTASK_API_URL): runs bench.soak through the public worker host with
// reports every 10 ms, then prints its memory samples as "soak <name> <value>" lines for the bench.
var code = await WorkerHost.RunAsync(args, new TaskCatalog().Add<SoakTask>(),
    new RunnerOptions { ReportInterval = TimeSpan.FromMilliseconds(10) });
foreach (var (name, value) in SoakTask.Figures())
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak {name} {value}"));
return code;
