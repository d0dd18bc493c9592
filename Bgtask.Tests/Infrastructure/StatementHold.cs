using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Bgtask.Tests.Infrastructure;

/// <summary>
/// Holds the next command that matches until the test releases it (so that other work piles up behind a
/// transaction still open), and notes the transaction of every matching command (which statements shared one).
/// Registered in a test host's DbContext options; one test at a time arms it.
/// </summary>
public sealed class StatementHold : DbCommandInterceptor
{
    private readonly Lock _lock = new();
    private readonly List<DbTransaction?> _transactions = [];
    private Func<DbCommand, bool>? _hold;
    private Func<DbCommand, bool>? _note;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _armed;

    /// <summary>Completes when the held command has arrived (its transaction, if any, is open).</summary>
    public Task Reached => _reached.Task;

    /// <summary>Holds the next command that <paramref name="hold"/> accepts, and notes from now on the transactions of those <paramref name="note"/> accepts.</summary>
    public void Arm(Func<DbCommand, bool> hold, Func<DbCommand, bool> note)
    {
        lock (_lock)
        {
            (_hold, _note, _armed) = (hold, note, true);
            _transactions.Clear();
            _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release() => _released.TrySetResult();

    public void Disarm()
    {
        lock (_lock) (_hold, _note, _armed) = (null, null, false);
        Release();
    }

    /// <summary>How many distinct transactions (a command outside one counting alone) the matching commands ran in.</summary>
    public int Transactions
    {
        get
        {
            lock (_lock) return _transactions.Where(t => t is not null).Distinct().Count() + _transactions.Count(t => t is null);
        }
    }

    private async Task HoldAsync(DbCommand command)
    {
        Task? wait = null;
        lock (_lock)
        {
            if (_note?.Invoke(command) == true) _transactions.Add(command.Transaction);
            if (_armed && _hold?.Invoke(command) == true)
            {
                _armed = false;
                _reached.TrySetResult();
                wait = _released.Task;
            }
        }
        if (wait is not null) await wait.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await HoldAsync(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await HoldAsync(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await HoldAsync(command);
        return result;
    }
}
