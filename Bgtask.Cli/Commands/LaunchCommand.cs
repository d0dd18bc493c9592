using System.CommandLine;
using Bgtask.Cli.Output;
using Bgtask.Client;

namespace Bgtask.Cli.Commands;

/// <summary><c>bgtask launch &lt;task&gt;</c>: prints the new pid; <c>--follow</c> or <c>--wait</c> until it ends.</summary>
public static class LaunchCommand
{
    public static Command Create()
    {
        var task = new Argument<string>("task") { Description = "A registered task name (see bgtask types)" };
        var config = ConfigArgs.Object("--config", "The task's config, a JSON object (--set values go over it)");
        var set = ConfigArgs.Set();
        var launcher = new Option<string?>("--launcher") { Description = "process or inprocess (default: the service's)", HelpName = "L" };
        var description = new Option<string?>("--description") { Description = "Free text shown with the task", HelpName = "D" };
        var timeout = Args.Int("--timeout", "A time limit: the task is sent stop, then killed", "SECONDS", 1, int.MaxValue);
        var follow = new Option<bool>("--follow") { Description = "Show the task live until it ends; the exit code is its outcome" };
        var wait = new Option<bool>("--wait") { Description = "Wait quietly until it ends; the exit code is its outcome" };
        var json = JsonOut.Option();
        var command = new Command("launch", "Launch a task and print its pid.")
        {
            task, config, set, launcher, description, timeout, follow, wait, json,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(follow) is not null && r.GetResult(wait) is not null) r.AddError("--follow and --wait exclude each other.");
        });
        command.SetRun(async (run, ct) =>
        {
            var p = run.Parse;
            var (baseConfig, pairs) = (p.GetValue(config), p.GetValue(set) ?? []);
            // No config given: none sent, so the service's default applies.
            var launch = new BgtaskLaunch(p.GetValue(task)!, p.GetValue(launcher), p.GetValue(description),
                Config: baseConfig is null && pairs.Length == 0 ? null : ConfigArgs.Merge(baseConfig, pairs),
                TimeoutSeconds: p.GetValue(timeout));
            var untilEnd = p.GetValue(follow) || p.GetValue(wait);
            if (p.GetValue(json))
            {
                // One document: the launched task, or with --follow/--wait the ended one (nothing live on stdout).
                var launched = (await run.Client.SendJsonAsync(HttpMethod.Post, "api/tasks", Json(launch), ct))!.Value;
                if (!untilEnd)
                {
                    JsonOut.Write(launched);
                    return ExitCodes.Success;
                }
                var pidOf = launched.GetProperty("pid").GetInt64();
                var outcome = await WatchCommand.WaitAsync(run, pidOf, ct);
                JsonOut.Write(await run.Client.SendJsonAsync(HttpMethod.Get, $"api/tasks/{pidOf}", ct: ct));
                return outcome;
            }
            var started = await run.Client.LaunchAsync(launch, ct);
            Console.Out.WriteLine(started.Pid);
            if (p.GetValue(follow)) return await WatchCommand.WatchAsync(run, started.Pid, ct);
            if (p.GetValue(wait)) return await WatchCommand.WaitAsync(run, started.Pid, ct);
            return ExitCodes.Success;
        });
        return command;
    }

    private static System.Text.Json.JsonElement Json(BgtaskLaunch launch) =>
        System.Text.Json.JsonSerializer.SerializeToElement(launch, CliJson.Default.BgtaskLaunch);
}
