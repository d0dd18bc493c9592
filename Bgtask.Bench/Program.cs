using Bgtask.Bench;
using Bgtask.Bench.Scenarios;

// dotnet run -c Release --project Bgtask.Bench -- <scenario|all> [--json <file>]
var scenarios = new Dictionary<string, Func<Bench, Task>>(StringComparer.Ordinal)
{
    ["launch"] = LaunchScenario.RunAsync,
    ["hangfire"] = HangfireScenario.RunAsync,
    ["updates"] = UpdatesScenario.RunAsync,
    ["signals"] = SignalsScenario.RunAsync,
    ["scale"] = ScaleScenario.RunAsync,
    ["sdk"] = SdkScenario.RunAsync,
    ["worker"] = WorkerScenario.RunAsync,
    ["soak"] = SoakScenario.RunAsync,
    ["idle"] = IdleScenario.RunAsync,
    ["cluster"] = ClusterScenario.RunAsync,
};

string? json = null;
var names = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--json" && i + 1 < args.Length) json = args[++i];
    else if (args[i] == "all") names.AddRange(scenarios.Keys);
    else if (scenarios.ContainsKey(args[i])) names.Add(args[i]);
    else
    {
        Console.Error.WriteLine($"usage: Bgtask.Bench <{string.Join('|', scenarios.Keys)}|all> [--json <file>]");
        return 2;
    }
}
if (names.Count == 0) names.AddRange(scenarios.Keys);

await using var bench = await Bench.CreateAsync();
var failed = 0;
foreach (var name in names)
{
    Console.WriteLine($"== {name} ({DateTime.UtcNow:HH:mm:ss} UTC)");
    try
    {
        await scenarios[name](bench);
    }
    catch (Exception e)
    {
        failed++;
        Console.Error.WriteLine($"scenario {name} failed: {e}");
        bench.Results.Add(name, "failed", 1);
    }
}
bench.Results.PrintTable(Console.Out);
if (json is not null) bench.Results.WriteJson(json);
return failed == 0 ? 0 : 1;
