using System.CommandLine;
using Bgtask.Cli.Watching;
using Bgtask.Client;

namespace Bgtask.Cli.Commands;

/// <summary>
/// <c>bgtask logs &lt;pid&gt; [-f]</c>: the task's log, oldest first. <c>-f</c> goes on with new lines from the
/// event stream until the task ends (the exit code is then its outcome); the lines stored between the first read
/// and the stream's start are read once it is connected, and a line is never printed twice (by its seq).
/// </summary>
public static class LogsCommand
{
    public static Command Create()
    {
        var pid = Args.Pid();
        var follow = new Option<bool>("--follow", "-f") { Description = "Go on printing new lines until the task ends" };
        var command = new Command("logs", "Print a task's log.") { pid, follow };
        command.SetRun(async (run, ct) =>
        {
            var p = run.Parse.GetValue(pid);
            long seq = 0;
            void Print(BgtaskLogLine line)
            {
                if (line.Seq <= seq) return;
                Console.Out.WriteLine(line.Line);
                seq = line.Seq;
            }
            async Task CatchUpAsync()
            {
                while (true)
                {
                    var page = await run.Client.ReadLogAsync(p, seq, 1000, ct);
                    foreach (var line in page.Items) Print(line);
                    if (page.Next is null) return;
                }
            }
            await CatchUpAsync();
            if (!run.Parse.GetValue(follow)) return ExitCodes.Success;
            BgtaskTask? last = null;
            await foreach (var task in new TaskFollower(run.Client, p).FollowAsync(Print, CatchUpAsync, ct)) last = task;
            await CatchUpAsync();
            return ExitCodes.ForOutcome((last ?? await run.Client.GetAsync(p, ct)).Status);
        });
        return command;
    }
}
