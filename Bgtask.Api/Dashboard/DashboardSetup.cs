using Microsoft.Extensions.FileProviders;

namespace Bgtask.Api.Dashboard;

public static class DashboardSetup
{
    /// <summary>
    /// The dashboard at / (wwwroot/, compiled into this assembly): served the same however and from wherever the
    /// service is started, with no wwwroot folder to find beside it. Public; its API calls carry the key.
    /// </summary>
    public static WebApplication UseBgtaskDashboard(this WebApplication app)
    {
        var files = new ManifestEmbeddedFileProvider(typeof(DashboardSetup).Assembly, "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }
}
