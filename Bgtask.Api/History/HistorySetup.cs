using Bgtask.Api.Reports;

namespace Bgtask.Api.History;

public static class HistorySetup
{
    public static IHostApplicationBuilder AddBgtaskHistory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
