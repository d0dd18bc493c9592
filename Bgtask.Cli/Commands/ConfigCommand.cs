using System.CommandLine;
using System.Globalization;
using Bgtask.Cli.Output;

namespace Bgtask.Cli.Commands;

/// <summary>
/// <c>bgtask config &lt;pid&gt;</c>: print the task's config (<c>{ pid, version, config }</c>), or change it.
/// <c>--json</c> replaces the whole object; <c>--set</c> alone changes those keys of the current one, guarded by
/// the version it read (If-Match), so a change someone saved meanwhile is never overwritten unseen (412, exit 3).
/// </summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var pid = Args.Pid();
        var set = ConfigArgs.Set();
        var json = ConfigArgs.Object("--json", "The new config, a whole JSON object (--set values go over it)");
        var ifVersion = Args.Int("--if-version", "Replace only this version (else 412)", "N", 1, int.MaxValue);
        var command = new Command("config", "Print a task's config, or change it with --set or --json.") { pid, set, json, ifVersion };
        command.Validators.Add(r =>
        {
            // By presence, not value: a value that failed to parse is its own error already.
            if (r.GetResult(ifVersion) is not null && r.GetResult(set) is null && r.GetResult(json) is null)
                r.AddError("--if-version goes with --set or --json.");
        });
        command.SetRun(async (run, ct) =>
        {
            var p = run.Parse;
            var task = p.GetValue(pid);
            var path = string.Create(CultureInfo.InvariantCulture, $"api/tasks/{task}/config");
            var pairs = p.GetValue(set) ?? [];
            var whole = p.GetValue(json);
            if (pairs.Length == 0 && whole is null)
            {
                JsonOut.Write(await run.Client.SendJsonAsync(HttpMethod.Get, path, ct: ct));
                return ExitCodes.Success;
            }
            var version = p.GetValue(ifVersion);
            var baseObject = whole;
            if (whole is null)
            {
                var current = await run.Client.GetConfigAsync(task, ct);
                baseObject = current.Config;
                version ??= current.Version;
            }
            var saved = await run.Client.SetConfigAsync(task, ConfigArgs.Merge(baseObject, pairs), version, ct);
            JsonOut.Write(System.Text.Json.JsonSerializer.SerializeToElement(saved, CliJson.Default.BgtaskConfig));
            return ExitCodes.Success;
        });
        return command;
    }
}
