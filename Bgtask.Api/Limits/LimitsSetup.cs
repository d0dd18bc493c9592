namespace Bgtask.Api.Limits;

public static class LimitsSetup
{
    public static IHostApplicationBuilder AddBgtaskLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiLimits>()
            .BindConfiguration(ApiLimits.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }
}
