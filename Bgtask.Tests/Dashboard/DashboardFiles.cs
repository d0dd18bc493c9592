using System.Net;

namespace Bgtask.Tests.Dashboard;

/// <summary>The dashboard's files as a service serves them at <c>/</c>.</summary>
public static class DashboardFiles
{
    /// <summary>GET / is the dashboard page, and the script and style sheet it names are there too.</summary>
    public static async Task AssertServedAsync(HttpClient client)
    {
        using var page = await client.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET / answered {(int)page.StatusCode}: {html}");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Bgtask</title>", html);
        foreach (var (file, type) in new[] { ("app.js", "text/javascript"), ("charts.js", "text/javascript"), ("app.css", "text/css") })
        {
            Assert.Contains($"\"{file}\"", html);
            using var response = await client.GetAsync($"/{file}");
            Assert.Equal((HttpStatusCode.OK, type), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        }
    }
}
