using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Signals;
using Bgtask.Api.Tasks;
using Bgtask.Api.Telemetry;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using FluentValidation;

namespace Bgtask.Api.WorkerChannel;

/// <summary>
/// One open worker channel: reports up, applied in order through <see cref="RunnerCalls.ReportAsync"/> exactly as
/// <c>PUT state</c> applies them; signals and config versions down, found by the held read (<see cref="SignalReader"/>,
/// woken by the same notifications) and claimed, one delivery at a time, until the worker says it has them. Whatever
/// is still claimed when the channel closes goes back to the queue.
/// </summary>
/// <param name="db">The upgrade request's context, for the reports (one at a time, in order, for the channel's life); the
/// push loop, which runs beside them, takes contexts of its own.</param>
public sealed class ChannelSession(WebSocket socket, long pid, BgtaskDbContext db, IServiceScopeFactory scopes,
    RunnerCalls calls, TaskNotifier notifier, SignalReader reader, IValidator<StateRequest> validator, BgtaskMetrics metrics,
    ILogger logger)
{
    /// <summary>A state message is about a hundred bytes; this only bounds a broken or hostile client.</summary>
    private const int MaxMessageBytes = 64 * 1024;
    private static readonly TimeSpan HeldWait = TimeSpan.FromSeconds(SignalEndpoints.MaxWaitSeconds);
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);

    // Negative: a channel's claim, told apart from a consuming read's (SignalQueue.ClaimSignalsAsync).
    private readonly long _claim = -Random.Shared.NextInt64(1, long.MaxValue);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly SemaphoreSlim _receipts = new(0, int.MaxValue); // released at each `received`
    private long _receivedUpTo;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var receiving = ReceiveAsync(stop.Token);
        var pushing = PushAsync(stop.Token);
        try
        {
            // The push loop ends when the task does, or fails when the database is away: the worker falls back to HTTP.
            if (await Task.WhenAny(receiving, pushing) == pushing)
                await (pushing.IsCompletedSuccessfully
                    ? CloseAsync(WebSocketCloseStatus.NormalClosure, "task ended")
                    : CloseAsync(WebSocketCloseStatus.InternalServerError, "signals cannot be read right now"));
            await stop.CancelAsync();
            await Task.WhenAll(Quietly(receiving), Quietly(pushing));
        }
        finally
        {
            await ReleaseAsync();
        }
    }

    private async Task Quietly(Task loop)
    {
        try
        {
            await loop;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
            logger.LogDebug(e, "Worker channel of task {Pid} closed", pid);
        }
        catch (Exception e) when (BgtaskExceptionHandler.IsDatabaseOutage(e))
        {
            logger.LogWarning(e, "Database unavailable for the worker channel of task {Pid}; closed", pid);
        }
    }

    // ---- up: reports and receipts, in the order sent ----

    private async Task ReceiveAsync(CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        if (buffer.Length >= MaxMessageBytes)
                        {
                            await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"a message is at most {MaxMessageBytes} bytes");
                            return;
                        }
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), ct);
                    count += result.Count;
                } while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived) await CloseAsync(WebSocketCloseStatus.NormalClosure, null);
                    return;
                }
                if (result.MessageType != WebSocketMessageType.Text || Parse(buffer.AsSpan(0, count)) is not { } message)
                {
                    await CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "expected a JSON text message of type state or received");
                    return;
                }
                metrics.ChannelMessage();
                switch (message.Type)
                {
                    case "state":
                        await SendAsync(await ReportAsync(message, ct), ChannelJson.Default.ChannelAck, ct);
                        break;
                    case "received":
                        if (message.Delivery > Volatile.Read(ref _receivedUpTo)) Volatile.Write(ref _receivedUpTo, message.Delivery);
                        _receipts.Release();
                        break;
                    default:
                        await CloseAsync(WebSocketCloseStatus.InvalidPayloadData, $"unknown message type '{message.Type}'");
                        return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ChannelUp? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ChannelJson.Default.ChannelUp);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>As <c>PUT state</c>: the same validator, the same call, the same outcomes (400, 404, 409, 503).</summary>
    private async Task<ChannelAck> ReportAsync(ChannelUp message, CancellationToken ct)
    {
        if (message.State is not { } state)
            return new(message.Seq, StatusCodes.Status400BadRequest,
                new("One or more validation errors occurred.", "'state' is required: a PUT state body."));
        var validation = validator.Validate(state);
        if (!validation.IsValid)
            return new(message.Seq, StatusCodes.Status400BadRequest, new("One or more validation errors occurred.",
                string.Join(" ", validation.Errors.Select(e => e.ErrorMessage)), validation.ToDictionary()));
        try
        {
            var change = await calls.ReportAsync(db, pid, TaskStateEndpoints.ToReport(state), ct);
            return change switch
            {
                { Outcome: ChangeOutcome.Conflict, Task: { } task } => new(message.Seq, StatusCodes.Status409Conflict,
                    new("Not allowed in the task's state", TaskStateEndpoints.ConflictDetail(task))),
                { Task: not null, Outcome: not ChangeOutcome.NotFound } => new(message.Seq, StatusCodes.Status200OK),
                _ => new(message.Seq, StatusCodes.Status404NotFound, new("Task not found", $"There is no task with pid {pid}.")),
            };
        }
        catch (Exception e) when (BgtaskExceptionHandler.IsDatabaseOutage(e) && !ct.IsCancellationRequested)
        {
            db.ChangeTracker.Clear(); // what a failed statement left tracked must not reach the next report
            logger.LogWarning(e, "Database unavailable for a report of task {Pid} on its worker channel", pid);
            return new(message.Seq, StatusCodes.Status503ServiceUnavailable,
                new("Database unavailable", "The database cannot be reached right now; try again shortly."));
        }
    }

    // ---- down: signals and config versions, one delivery at a time ----

    private async Task PushAsync(CancellationToken ct)
    {
        // Claims of an earlier channel of this task whose node died with it: the worker has opened a new one.
        await using (var scope = scopes.CreateAsyncScope())
            await Db(scope).ReleaseClaimedSignalsAsync(pid, null, ct);

        int? version = null;
        long delivery = 0;
        while (true)
        {
            // The first look answers at once: the worker learns the config version the moment the channel opens.
            var read = await reader.ClaimAsync(pid, _claim, version is null ? TimeSpan.Zero : HeldWait, version, ct);
            if (read is null)
            {
                await SendAsync(new ChannelEnded(null), ChannelJson.Default.ChannelEnded, ct);
                return;
            }
            if (version is null || read.Signals.Count > 0 || read.ConfigVersion != version)
            {
                await SendAsync(new ChannelSignals(++delivery, read.Signals.Select(SignalResponse.From).ToList(),
                    read.ConfigVersion), ChannelJson.Default.ChannelSignals, ct);
                if (read.Signals.Count > 0)
                {
                    // Held until the worker has them: a channel that closes first hands them back (ReleaseAsync).
                    while (Volatile.Read(ref _receivedUpTo) < delivery) await _receipts.WaitAsync(ct);
                    await using var scope = scopes.CreateAsyncScope();
                    await Db(scope).DeleteClaimedSignalsAsync(pid, _claim, ct);
                }
            }
            version = read.ConfigVersion;
            if (read.Status.IsTerminal())
            {
                await SendAsync(new ChannelEnded(read.Status.ToString().ToLowerInvariant()), ChannelJson.Default.ChannelEnded, ct);
                return;
            }
        }
    }

    /// <summary>Signals claimed and not acknowledged go back to the queue, in their order, for the signals read.</summary>
    private async Task ReleaseAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var released = await Db(scope).ReleaseClaimedSignalsAsync(pid, _claim, CancellationToken.None);
            if (released > 0) notifier.SignalsReturned(pid);
        }
        catch (Exception e) when (BgtaskExceptionHandler.IsDatabaseOutage(e))
        {
            // Left claimed; the worker's next channel hands them back (PushAsync).
            logger.LogWarning(e, "Returning the unacknowledged signals of task {Pid} failed", pid);
        }
    }

    private static BgtaskDbContext Db(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();

    private async Task SendAsync<T>(T message, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, type);
        await _sending.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string? reason)
    {
        using var timeout = new CancellationTokenSource(CloseWait);
        try
        {
            await _sending.WaitAsync(timeout.Token);
            try
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
            finally
            {
                _sending.Release();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException
                                       or InvalidOperationException or ObjectDisposedException)
        {
            logger.LogDebug(e, "Closing the worker channel of task {Pid} failed", pid);
        }
    }
}
