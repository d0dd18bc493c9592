namespace Bgtask.Api.Events;

public static class EventsSetup
{
    public static IHostApplicationBuilder AddBgtaskEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EventOptions>().BindConfiguration(EventOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TaskEventHub>();
        return builder;
    }
}
