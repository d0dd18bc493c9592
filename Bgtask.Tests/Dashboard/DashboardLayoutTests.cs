using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bgtask.Tests.Dashboard;

/// <summary>
/// The dashboard's layout rules, checked from the elements' bounding boxes at a laptop's 1280×800 and a phone's
/// 390×844, and the task page's charts growing while its task runs.
/// </summary>
public sealed class DashboardLayoutTests(LoopbackApiFactory<SqliteTarget> api, ITestOutputHelper output)
    : IClassFixture<LoopbackApiFactory<SqliteTarget>>
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Slow = new() { Timeout = DashboardBrowser.Timeout };

    [Fact]
    public async Task ListPage_ShowsCountsPerStatus_ActionsWithoutSideScrollAt1280_AndNoPageSideScrollOnAPhone()
    {
        using var http = new HttpClient { BaseAddress = api.ServerAddress };
        var running = await http.RecordInStatusAsync(Statuses.Running, "layout.running");
        await http.ReportStateAsync(running.Pid, new StateReport(500, 123, Memory: 52_428_800, MemoryPeak: 73_400_320));
        await http.RecordInStatusAsync(Statuses.Sleeping, "layout.sleeping");
        await http.RecordInStatusAsync(Statuses.Finished, "layout.finished");
        await http.NewRecordAsync("layout.pending", description:
            "A long description that a narrow screen has to wrap, not push sideways: " + new string('x', 80));
        var counts = (await Task.WhenAll(new[] { Statuses.Running, Statuses.Sleeping }
            .Select(s => http.ListAsync($"?status={s}&limit=500")))).Select(p => p.Items.Count).ToArray();

        await using var browser = await DashboardBrowser.StartAsync(output);
        var page = await browser.NewPageAsync(1280, 800);
        await page.GotoAsync(api.ServerAddress.AbsoluteUri);
        var row = page.Locator($"#task-rows tr[data-pid='{running.Pid}']");
        await Expect(row).ToBeVisibleAsync();

        // The counts come from the API and sit above the table.
        await Expect(page.Locator("#counts .count[data-status=running]")).ToHaveAttributeAsync("data-count", counts[0].ToString(), Slow);
        await Expect(page.Locator("#counts .count[data-status=sleeping]")).ToHaveAttributeAsync("data-count", counts[1].ToString(), Slow);
        Assert.True((await BoxAsync(page.Locator("#counts"))).Y < (await BoxAsync(page.Locator("#tasks"))).Y, "the counts are above the table");
        // ...and the event stream moves them: the sleeping record finishes.
        var sleeping = (await http.ListAsync("?status=sleeping&task=layout.sleeping")).Items[0];
        await http.MoveAsync(sleeping.Pid, "finished");
        await Expect(page.Locator("#counts .count[data-status=sleeping]")).ToHaveAttributeAsync("data-count", (counts[1] - 1).ToString(), Slow);

        // At 1280: the Actions column inside the table's box, with nothing to scroll sideways.
        var wrap = await BoxAsync(page.Locator(".table-wrap"));
        var actionsHead = await BoxAsync(page.Locator("#tasks thead th").Last);
        Assert.True(actionsHead.X + actionsHead.Width <= wrap.X + wrap.Width + 1, $"the Actions header ends at {actionsHead.X + actionsHead.Width}, the table at {wrap.X + wrap.Width}");
        Assert.True(await page.EvaluateAsync<bool>("() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth <= w.clientWidth + 1; }"),
            "the table scrolls sideways at 1280 px");
        await AssertInViewAsync(page, row.Locator("button[data-action=kill]"), 1280, 800);
        await AssertNoPageSideScrollAsync(page, 1280);
        await DashboardBrowser.SaveScreenshotAsync(page, "dashboard-list-1280.png", forReadme: false);

        // At 390: rows become cards; the page itself never scrolls sideways and the buttons stay on screen.
        await page.SetViewportSizeAsync(390, 844);
        await AssertNoPageSideScrollAsync(page, 390);
        foreach (var action in new[] { "pause", "stop", "kill" })
        {
            var box = await BoxAsync(row.Locator($"button[data-action={action}]"));
            Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"the {action} button spans {box.X}..{box.X + box.Width} on a 390 px screen");
        }
        await DashboardBrowser.SaveScreenshotAsync(page, "dashboard-phone.png", forReadme: false);
        await AssertNoPageSideScrollAsync(page, 390);
    }

    [Fact]
    public async Task TaskPage_OfARunningTask_DrawsBothChartsThatGrow_ShadesPauses_ShowsConfigConflicts_AndFitsTheScreen()
    {
        using var http = new HttpClient { BaseAddress = api.ServerAddress };
        var task = await http.LaunchAsync("demo.count", new { total = 1_200, delayMs = 25 }, launcher: "inprocess",
            description: "Count with charts (dashboard test)");
        await http.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "the task runs");

        await using var browser = await DashboardBrowser.StartAsync(output);
        var page = await browser.NewPageAsync(1280, 800);
        await page.GotoAsync($"{api.ServerAddress.AbsoluteUri}#/tasks/{task.Pid}");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = DashboardBrowser.Timeout });
        await Expect(page.Locator("#task-status .status")).ToHaveAttributeAsync("data-status", "running", Slow);

        // Both charts start from the history and grow from the event stream.
        foreach (var chart in new[] { "#chart-progress", "#chart-memory" })
        {
            var svg = page.Locator(chart);
            var first = await PointsAsync(svg, above: 0);
            await PointsAsync(svg, above: await PointsAsync(svg, above: first));
            await Expect(svg.Locator("polyline.series")).ToHaveCountAsync(1);
        }
        await Expect(page.Locator("#chart-memory line.peak")).ToHaveCountAsync(1);

        // A pause is a shaded span on both charts.
        await page.ClickAsync("#task-actions button[data-action=pause]");
        await Expect(page.Locator("#task-status .status")).ToHaveAttributeAsync("data-status", "sleeping", Slow);
        await Expect(page.Locator("#chart-progress rect.span.sleeping").First).ToBeVisibleAsync();
        await Expect(page.Locator("#chart-memory rect.span.sleeping").First).ToBeVisibleAsync();
        await page.ClickAsync("#task-actions button[data-action=resume]");
        await Expect(page.Locator("#task-status .status")).ToHaveAttributeAsync("data-status", "running", Slow);
        var progress = page.Locator("#chart-progress");
        await PointsAsync(progress, above: await PointsAsync(progress, above: 0));
        // An in-process task has no processes of its own to freeze: no freeze button.
        await Expect(page.Locator("#task-actions button[data-action=freeze]")).ToHaveCountAsync(0);

        // A config saved elsewhere is a conflict, shown before and after a save that loses (412, If-Match).
        await Expect(page.Locator("#config-version")).ToHaveTextAsync("1", new() { Timeout = DashboardBrowser.Timeout });
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/api/tasks/{task.Pid}/config")
        { Content = JsonContent.Create(new { total = 1_200, delayMs = 20 }) })
        {
            put.Headers.IfMatch.Add(new("\"1\""));
            (await http.SendAsync(put)).EnsureSuccessStatusCode();
        }
        await Expect(page.Locator("#config-conflict")).ToBeVisibleAsync();
        await page.ClickAsync("#config-save");
        await Expect(page.Locator("#config-conflict")).ToContainTextAsync("If-Match");
        await page.ClickAsync("#config-take");
        await Expect(page.Locator("#config-conflict")).ToBeHiddenAsync();
        await Expect(page.Locator("#config-version")).ToHaveTextAsync("2");

        // At 1280×800 the header, both charts and the controls are on screen without scrolling.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        foreach (var part in new[] { "#task-title", "#task-status", "#task-bar", "#task-stats", "#chart-progress", "#chart-memory",
                     "#task-actions button[data-action=pause]", "#task-actions button[data-action=kill]" })
            await AssertInViewAsync(page, page.Locator(part), 1280, 800);
        await AssertNoPageSideScrollAsync(page, 1280);
        await DashboardBrowser.SaveScreenshotAsync(page, "dashboard-task.png");

        // On a phone: one column, nothing wider than the screen.
        await page.SetViewportSizeAsync(390, 844);
        await AssertNoPageSideScrollAsync(page, 390);
        foreach (var part in new[] { "#task-bar", "#chart-progress", "#chart-memory", "#config-text", "#log" })
        {
            var box = await BoxAsync(page.Locator(part));
            Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"{part} spans {box.X}..{box.X + box.Width} on a 390 px screen");
        }
        await DashboardBrowser.SaveScreenshotAsync(page, "dashboard-task-phone.png", forReadme: false);

        await http.CallAsync(task.Pid, "kill");
    }

    private static async Task<LocatorBoundingBoxResult> BoxAsync(ILocator locator)
    {
        await Expect(locator).ToBeVisibleAsync();
        return await locator.BoundingBoxAsync() ?? throw new Xunit.Sdk.XunitException($"{locator} has no box");
    }

    private static async Task AssertInViewAsync(IPage page, ILocator locator, int width, int height)
    {
        var box = await BoxAsync(locator);
        var scrolled = await page.EvaluateAsync<double>("() => window.scrollY");
        Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= width && box.Y + box.Height <= height && scrolled == 0,
            $"{locator} is at ({box.X}, {box.Y}) {box.Width}×{box.Height}, outside the unscrolled {width}×{height} screen");
    }

    private static async Task AssertNoPageSideScrollAsync(IPage page, int width)
    {
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"the page is {scrollWidth} px wide on a {width} px screen");
    }

    /// <summary>Waits until the chart has drawn more than <paramref name="above"/> points and returns how many.</summary>
    private static async Task<int> PointsAsync(ILocator svg, int above)
    {
        var points = 0;
        await Eventually.TrueAsync(async () =>
        {
            points = int.TryParse(await svg.GetAttributeAsync("data-points"), out var n) ? n : 0;
            return points > above;
        }, $"the chart {svg} passes {above} points", TimeSpan.FromSeconds(30));
        return points;
    }
}
