using System.CommandLine;
using System.Globalization;
using Bgtask.Cli.Output;
using Spectre.Console;

namespace Bgtask.Cli.Commands;

/// <summary>The read commands and removal: <c>types</c>, <c>ls</c>, <c>show</c>, <c>rm</c>, <c>nodes</c>.</summary>
public static class TaskCommands
{
    public static IEnumerable<Command> All() => [Types(), List(), Show(), Remove(), Nodes()];

    private static Command Types()
    {
        var json = JsonOut.Option();
        var command = new Command("types", "List the task types that can be launched.") { json };
        command.SetRun(async (run, ct) =>
        {
            if (run.Parse.GetValue(json))
            {
                JsonOut.Write(await run.Client.SendJsonAsync(HttpMethod.Get, "api/task-types", ct: ct));
                return ExitCodes.Success;
            }
            var types = await run.Client.GetTaskTypesAsync(ct);
            Plain.Columns(["NAME", "DESCRIPTION"], types.Select(t => new[] { t.Name, t.Description }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "Only tasks in this status (pending, running, sleeping, stopped, finished, error)", HelpName = "S" };
        var task = new Option<string?>("--task") { Description = "Only tasks of this name (exact)", HelpName = "T" };
        var limit = Args.Int("--limit", "How many, newest first: 1 to 500 (default 50)", "N", 1, 500);
        var json = JsonOut.Option();
        var command = new Command("ls", "List tasks, newest first.") { status, task, limit, json };
        command.SetRun(async (run, ct) =>
        {
            var p = run.Parse;
            if (p.GetValue(json))
            {
                var query = new List<string>();
                if (p.GetValue(status) is { } s) query.Add("status=" + Uri.EscapeDataString(s));
                if (p.GetValue(task) is { } t) query.Add("task=" + Uri.EscapeDataString(t));
                if (p.GetValue(limit) is { } l) query.Add(string.Create(CultureInfo.InvariantCulture, $"limit={l}"));
                JsonOut.Write(await run.Client.SendJsonAsync(HttpMethod.Get,
                    "api/tasks" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct: ct));
                return ExitCodes.Success;
            }
            var page = await run.Client.ListAsync(p.GetValue(status), p.GetValue(task), limit: p.GetValue(limit), ct: ct);
            TaskText.List(run.Terminal, page.Items);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var pid = Args.Pid();
        var json = JsonOut.Option();
        var command = new Command("show", "Show every field of a task.") { pid, json };
        command.SetRun(async (run, ct) =>
        {
            var p = run.Parse.GetValue(pid);
            if (run.Parse.GetValue(json))
                JsonOut.Write(await run.Client.SendJsonAsync(HttpMethod.Get, $"api/tasks/{p}", ct: ct));
            else
                TaskText.Details(await run.Client.GetAsync(p, ct));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var pid = Args.Pid();
        var command = new Command("rm", "Delete an ended task with its signals, configs and log.") { pid };
        command.SetRun(async (run, ct) =>
        {
            var p = run.Parse.GetValue(pid);
            await run.Client.RemoveAsync(p, ct);
            Console.Out.WriteLine($"removed {p}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Nodes()
    {
        var json = JsonOut.Option();
        var command = new Command("nodes", "List the service's nodes (one per replica of a cluster).") { json };
        command.SetRun(async (run, ct) =>
        {
            if (run.Parse.GetValue(json))
            {
                JsonOut.Write(await run.Client.SendJsonAsync(HttpMethod.Get, "api/nodes", ct: ct));
                return ExitCodes.Success;
            }
            var nodes = await run.Client.GetNodesAsync(ct);
            Plain.Columns(["NAME", "URL", "LIVE", "RUNNING", "SLOTS", "HEARTBEAT"], nodes.Select(n => new[]
            {
                n.Name, n.Url ?? "-", n.Live ? "yes" : "no", n.Running.ToString(CultureInfo.InvariantCulture),
                n.Slots?.ToString(CultureInfo.InvariantCulture) ?? "-",
                n.HeartbeatAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-",
            }));
            return ExitCodes.Success;
        });
        return command;
    }
}
