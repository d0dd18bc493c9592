namespace Bgtask.Api.Memory;

public static class MemorySetup
{
    /// <summary>What keeps an idle service small: see <see cref="StartupTrim"/>.</summary>
    public static IHostApplicationBuilder AddBgtaskMemory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<StartupTrim>();
        return builder;
    }
}
