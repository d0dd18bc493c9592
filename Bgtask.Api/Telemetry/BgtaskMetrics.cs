using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bgtask.Api.Runners;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Telemetry;

/// <summary>The meter <c>Bgtask</c> and the activity source <c>Bgtask</c>: what the service counts and traces.</summary>
public sealed class BgtaskMetrics
{
    public const string Name = "Bgtask";
    public const string ChannelMessagesName = "bgtask.channel.messages";

    /// <summary>Spans of the service's own work (a launch); HTTP spans come from the ASP.NET Core instrumentation.</summary>
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _launches;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _reports;
    private readonly Counter<long> _workersLost;
    private readonly Counter<long> _channelMessages;
    private readonly Histogram<double> _signalLatency;

    public BgtaskMetrics(IMeterFactory meters, RunnerRegistry runners, TaskCounts counts)
    {
        var meter = meters.Create(Name);
        _launches = meter.CreateCounter<long>("bgtask.launches", "{task}", "Tasks launched or recorded, by task and launcher.");
        _transitions = meter.CreateCounter<long>("bgtask.transitions", "{transition}", "Status changes, by the new status.");
        _reports = meter.CreateCounter<long>("bgtask.reports", "{report}", "State (progress) reports received.");
        _channelMessages = meter.CreateCounter<long>(ChannelMessagesName, "{message}",
            "Messages received over worker channels (reports and receipts): what a worker sends instead of requests.");
        _workersLost = meter.CreateCounter<long>("bgtask.workers.lost", "{task}", "Tasks ended because their runner was gone.");
        _signalLatency = meter.CreateHistogram<double>("bgtask.signal.latency", "s",
            "From a signal's creation to its delivery to a reader that consumed it.");
        meter.CreateObservableGauge("bgtask.tasks.running", () => runners.Count, "{task}",
            "Runners (worker processes and in-process runs) this instance runs now.");
        meter.CreateObservableGauge("bgtask.tasks.pending", () => counts.Pending, "{task}",
            "Tasks pending in the database (all replicas), counted at most every few seconds, when scraped.");
    }

    public void Launched(BackgroundTask task) =>
        _launches.Add(1, new("task", task.Task), new("launcher", task.Launcher.ToString().ToLowerInvariant()));

    public void Moved(BackgroundTaskStatus status) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));

    public void Reported() => _reports.Add(1);

    public void WorkerLost() => _workersLost.Add(1);

    public void ChannelMessage() => _channelMessages.Add(1);

    public void SignalDelivered(TimeSpan latency) => _signalLatency.Record(Math.Max(0, latency.TotalSeconds));
}
