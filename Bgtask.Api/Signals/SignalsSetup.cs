using Bgtask.Api.Notifications;
using Bgtask.Api.Reports;

namespace Bgtask.Api.Signals;

public static class SignalsSetup
{
    public static IHostApplicationBuilder AddBgtaskSignals(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SignalOptions>().BindConfiguration(SignalOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TaskWakeups>();
        builder.Services.AddSingleton<SignalReader>();
        builder.Services.AddSingleton<TaskNotifier>();
        builder.Services.AddSingleton<RunnerCalls>();
        builder.Services.AddSingleton<TaskReads>();
        builder.Services.AddSingleton<StateReportBuffer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StateReportBuffer>());
        builder.Services.AddSingleton<TaskPresenter>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
