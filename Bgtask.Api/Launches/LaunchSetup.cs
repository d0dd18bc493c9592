using Bgtask.Api.Freezing;
using Bgtask.Api.Runners;
using Bgtask.Worker.Sdk;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launches;

public static class LaunchSetup
{
    public static IHostApplicationBuilder AddBgtaskLaunchers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TasksOptions>().BindConfiguration(TasksOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TasksOptions>, CommandsValidator>();
        builder.Services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => LoadCatalog(sp.GetRequiredService<IOptions<TasksOptions>>().Value));
        builder.Services.AddSingleton<RunnerRegistry>();
        builder.Services.AddSingleton<TaskLogPump>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TaskLogPump>());
        builder.Services.AddSingleton<ProcessLauncher>();
        builder.Services.AddSingleton<ILauncher>(sp => sp.GetRequiredService<ProcessLauncher>());
        builder.Services.AddSingleton<ILauncher, InProcessLauncher>();
        builder.Services.AddSingleton<TaskDispatcher>();
        builder.Services.AddSingleton<TaskFreezer>();
        builder.Services.AddSingleton<TaskKiller>();
        builder.Services.AddSingleton<LaunchCommitter>();
        builder.Services.AddSingleton<LaunchService>();
        return builder;
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026",
        Justification = "The service is not trimmed; plugins are loaded by reflection on purpose.")]
    private static TaskCatalog LoadCatalog(TasksOptions options) =>
        TaskCatalog.WithDemos().AddPlugins(options.PluginPaths);
}
