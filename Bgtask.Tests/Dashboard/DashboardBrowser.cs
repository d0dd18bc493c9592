using Bgtask.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bgtask.Tests.Dashboard;

/// <summary>
/// Debian's chromium driven by Playwright (never <c>playwright install</c>): one browser per test, headless, with the
/// page's console errors in the test output.
/// </summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    public const float Timeout = 20_000;

    private static readonly string[] ChromiumFlags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly ITestOutputHelper _output;

    private DashboardBrowser(IPlaywright playwright, IBrowser browser, ITestOutputHelper output) =>
        (_playwright, _browser, _output) = (playwright, browser, output);

    public static async Task<DashboardBrowser> StartAsync(ITestOutputHelper output)
    {
        // A missing browser is a machine to fix, never a reason to pass: scripts/test.sh installs it.
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (scripts/test.sh does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumFlags });
        return new DashboardBrowser(playwright, browser, output);
    }

    /// <summary>A page of the given size that accepts confirmations (kill, delete).</summary>
    public async Task<IPage> NewPageAsync(int width, int height)
    {
        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        page.SetDefaultTimeout(Timeout);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        page.Console += (_, m) => { if (m.Type == "error") _output.WriteLine($"console: {m.Text}"); };
        return page;
    }

    /// <summary>
    /// Writes the picture into docs/ when BGTASK_UPDATE_SCREENSHOT=1 and it is one the README shows, and into
    /// BGTASK_SCREENSHOT_DIR when that is set (to look at the page by eye).
    /// </summary>
    public static async Task SaveScreenshotAsync(IPage page, string name, bool forReadme = true)
    {
        // The README's pictures are the screen as it is seen; the others show the whole (long) phone page.
        var png = await page.ScreenshotAsync(new() { FullPage = !forReadme });
        Assert.NotEmpty(png);
        if (forReadme && Environment.GetEnvironmentVariable("BGTASK_UPDATE_SCREENSHOT") == "1")
            await File.WriteAllBytesAsync(Path.Combine(Repository.Root, "docs", name), png);
        var folder = Environment.GetEnvironmentVariable("BGTASK_SCREENSHOT_DIR");
        if (!string.IsNullOrEmpty(folder)) await File.WriteAllBytesAsync(Path.Combine(folder, name), png);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
