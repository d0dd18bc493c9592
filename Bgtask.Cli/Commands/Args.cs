using System.CommandLine;

namespace Bgtask.Cli.Commands;

/// <summary>Arguments several commands share.</summary>
public static class Args
{
    public static Argument<long> Pid() => new("pid")
    {
        Description = "The task's pid",
        Validators = { r => { if (r.GetValueOrDefault<long>() <= 0) r.AddError("pid: a positive number is needed."); } },
    };
}
