using FluentValidation;

namespace Bgtask.Api.Validation;

public static class ValidationSetup
{
    public static IHostApplicationBuilder AddBgtaskValidation(this IHostApplicationBuilder builder)
    {
        ValidatorOptions.Global.DefaultClassLevelCascadeMode = CascadeMode.Continue;
        ValidatorOptions.Global.DefaultRuleLevelCascadeMode = CascadeMode.Stop;
        // camelCase field names in `errors`, as the wire has them.
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : char.ToLowerInvariant(member.Name[0]) + member.Name[1..];
        builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        return builder;
    }
}
