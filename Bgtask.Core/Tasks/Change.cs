namespace Bgtask.Core.Tasks;

public enum ChangeOutcome
{
    /// <summary>The statement moved the task.</summary>
    Changed,
    /// <summary>The task was already where the caller wanted it: a safe retry.</summary>
    Unchanged,
    NotFound,
    /// <summary>The task's state forbids it (409).</summary>
    Conflict,
}

/// <summary>What a guarded statement did, and the task as it is now (null when not found).</summary>
public readonly record struct Change(ChangeOutcome Outcome, BackgroundTask? Task)
{
    public static Change NotFound => new(ChangeOutcome.NotFound, null);
    public bool Succeeded => Outcome is ChangeOutcome.Changed or ChangeOutcome.Unchanged;
}
