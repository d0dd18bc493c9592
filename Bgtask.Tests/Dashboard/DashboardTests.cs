using System.Text.RegularExpressions;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bgtask.Tests.Dashboard;

/// <summary>
/// The dashboard at <c>/</c> in a real browser: Debian's chromium driven by Playwright (never
/// <c>playwright install</c>), against the service on a loopback port.
/// </summary>
public sealed class DashboardTests(LoopbackApiFactory<SqliteTarget> api, ITestOutputHelper output)
    : IClassFixture<LoopbackApiFactory<SqliteTarget>>
{
    private const float Timeout = DashboardBrowser.Timeout;

    [Fact]
    public async Task Dashboard_LaunchesFollowsPausesResumesKills_AndShowsTheLog()
    {
        var baseUrl = api.ServerAddress;
        using var http = new HttpClient { BaseAddress = baseUrl };
        // A little history for the list (and the screenshot).
        await http.RecordInStatusAsync(Statuses.Finished, "import.orders");
        var failed = await http.RecordInStatusAsync(Statuses.Running, "mail.digest");
        await http.ReportStateAsync(failed.Pid, new StateReport(40, 13, Memory: 52_428_800, MemoryPeak: 73_400_320));
        await http.CallAsync(failed.Pid, "error");

        await using var browser = await DashboardBrowser.StartAsync(output);
        var page = await browser.NewPageAsync(1280, 520); // accepts the kill confirmation

        await page.GotoAsync(baseUrl.AbsoluteUri);
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = Timeout });

        // Launch demo.count from the form.
        await page.Locator("#launch-panel summary").ClickAsync();
        await page.SelectOptionAsync("#launch-task", "demo.count");
        await page.SelectOptionAsync("#launch-launcher", "inprocess");
        await page.FillAsync("#launch-description", "Count to 400 (dashboard test)");
        await page.FillAsync("#launch-config", """{ "total": 400, "delayMs": 40 }""");
        await page.ClickAsync("#launch-submit");
        var pid = await page.Locator("#launched-pid").GetAttributeAsync("data-pid");
        var row = page.Locator($"#task-rows tr[data-pid='{pid}']");

        // The progress bar moves with the live events (no reload).
        var first = await FinishedAsync(row, after: 0);
        await FinishedAsync(row, after: first);

        await row.Locator("button[data-action=pause]").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-status", "sleeping", new() { Timeout = Timeout });
        await Expect(row.Locator(".status")).ToContainTextAsync("Sleep");

        await row.Locator("button[data-action=resume]").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-status", "running", new() { Timeout = Timeout });
        await FinishedAsync(row, after: await FinishedAsync(row, after: 0));
        await Expect(row.Locator("td").Nth(5)).ToContainTextAsync("/s", new() { Timeout = Timeout }); // a rate is known
        await page.Locator("#launch-panel summary").ClickAsync(); // fold the form for the picture
        await DashboardBrowser.SaveScreenshotAsync(page, "dashboard.png");

        await row.Locator("button[data-action=kill]").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-status", "stopped", new() { Timeout = Timeout });

        await row.Locator($"a[href='#/tasks/{pid}']").ClickAsync();
        await Expect(page.Locator("#task-title")).ToContainTextAsync($"Task {pid}");
        await Expect(page.Locator("#config-text")).ToHaveValueAsync(new Regex("\"total\": ?400"));
        await Expect(page.Locator("#task-message")).ToContainTextAsync("killed");
        // The log as the task wrote it: its start and the signals it obeyed. (A "killed" line follows only when the
        // kill still found the runner alive; an in-process run may notice its end first.)
        await Expect(page.Locator("#log")).ToContainTextAsync("start", new() { Timeout = Timeout });
        await Expect(page.Locator("#log")).ToContainTextAsync("sleep");
        await Expect(page.Locator("#log")).ToContainTextAsync("continue");
        // The history charts: progress and memory over time, the pause shaded where the task slept.
        await Expect(page.Locator("#chart-progress polyline.series")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-memory polyline.series")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-progress rect.span.sleeping")).Not.ToHaveCountAsync(0);
    }

    /// <summary>Waits until the row's progress bar shows more than <paramref name="after"/> operations done.</summary>
    private static async Task<long> FinishedAsync(ILocator row, long after)
    {
        long done = 0;
        await Eventually.TrueAsync(async () =>
        {
            var value = await row.Locator("progress").GetAttributeAsync("data-finished");
            done = long.TryParse(value, out var n) ? n : 0;
            return done > after;
        }, $"the progress bar passes {after}", TimeSpan.FromSeconds(20));
        return done;
    }
}
