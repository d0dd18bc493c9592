using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Telemetry;

/// <summary>
/// Runs alone: OpenTelemetry matches meters by name across the whole process, so another host's Bgtask meter
/// (its factory starting or being disposed meanwhile) can disturb this host's streams.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary><c>GET /metrics</c>: the Bgtask meter in Prometheus text format.</summary>
[Collection(nameof(MetricsTests))]
public sealed class MetricsTests(BgtaskApiFactory<SqliteTarget> api) : ApiTests<SqliteTarget>(api)
{
    private async Task<string> ScrapeAsync()
    {
        var response = await Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the first sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>.</summary>
    private static double? Sample(string scrape, string metric, string label) =>
        scrape.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .Cast<double?>()
            .FirstOrDefault();

    private static string Launches(string scrape) =>
        string.Join(" | ", scrape.Split('\n').Where(l => l.StartsWith("bgtask_launches_total", StringComparison.Ordinal)));

    [Fact]
    public async Task Metrics_CountLaunchesByTaskAndLauncher()
    {
        var name = UniqueName("metrics");
        var label = $"task=\"{name}\"";
        await Client.NewRecordAsync(name);

        string scrape = "";
        try
        {
            await Eventually.TrueAsync(async () => Sample(scrape = await ScrapeAsync(), "bgtask_launches_total", label) == 1,
                "the launch counter shows the record");
        }
        catch (Exception) { throw new Xunit.Sdk.XunitException("Scraped: " + Launches(scrape)); }
        Assert.Contains("launcher=\"external\"", scrape.Split('\n').First(l => l.Contains(label)));

        await Client.NewRecordAsync(name);
        try
        {
            await Eventually.TrueAsync(async () => Sample(scrape = await ScrapeAsync(), "bgtask_launches_total", label) == 2,
                "the launch counter moves with the next launch");
        }
        catch (Exception) { throw new Xunit.Sdk.XunitException("Scraped: " + Launches(scrape)); }
    }

    [Fact]
    public async Task Metrics_ListTheBgtaskInstruments()
    {
        var record = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.ReportStateAsync(record.Pid, new StateReport(10, 5));
        await Client.SendSignalAsync(record.Pid, "sleep");
        await Client.ReadSignalsAsync(record.Pid, clean: true);

        await Eventually.TrueAsync(async () =>
        {
            var scrape = await ScrapeAsync();
            return new[]
            {
                "bgtask_transitions_total{", "bgtask_reports_total", "bgtask_signal_latency_seconds_bucket",
                "bgtask_tasks_running", "bgtask_tasks_pending",
            }.All(scrape.Contains);
        }, "every Bgtask instrument is scraped");
    }
}
