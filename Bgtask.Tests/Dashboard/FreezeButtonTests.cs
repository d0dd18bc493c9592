using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bgtask.Tests.Dashboard;

/// <summary>The task page's freeze and thaw of a real worker process, and the frozen span on its charts.</summary>
public sealed class FreezeButtonTests(WorkerApiFactory<SqliteTarget> api, ITestOutputHelper output)
    : IClassFixture<WorkerApiFactory<SqliteTarget>>
{
    [Fact]
    public async Task TaskPage_OfAProcessTask_FreezesAndThawsIt_ShowingFrozenInTheHeaderAndOnTheCharts()
    {
        using var http = new HttpClient { BaseAddress = api.Address };
        var task = await http.LaunchAsync("demo.count", new { total = 5_000, delayMs = 20 }, launcher: "process");
        await http.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "the worker runs");
        try
        {
            await using var browser = await DashboardBrowser.StartAsync(output);
            var page = await browser.NewPageAsync(1280, 800);
            await page.GotoAsync($"{api.Address.AbsoluteUri}#/tasks/{task.Pid}");
            var status = page.Locator("#task-status .status");
            await Expect(status).ToHaveAttributeAsync("data-status", "running");
            await Expect(page.Locator("#task-frozen")).ToBeHiddenAsync();

            await page.ClickAsync("#task-actions button[data-action=freeze]");
            await Expect(page.Locator("#task-frozen")).ToBeVisibleAsync();
            await Expect(status).ToHaveAttributeAsync("data-status", "sleeping");
            // Frozen, it cannot obey a signal: thaw is offered, resume is not.
            await Expect(page.Locator("#task-actions button[data-action=resume]")).ToHaveCountAsync(0);
            await Expect(page.Locator("#chart-progress rect.span.frozen").First).ToBeVisibleAsync();

            await page.ClickAsync("#task-actions button[data-action=thaw]");
            await Expect(page.Locator("#task-frozen")).ToBeHiddenAsync();
            await Expect(status).ToHaveAttributeAsync("data-status", "running");
            await Expect(page.Locator("#task-actions button[data-action=freeze]")).ToBeVisibleAsync();
        }
        finally
        {
            await http.CallAsync(task.Pid, "kill");
        }
    }
}
