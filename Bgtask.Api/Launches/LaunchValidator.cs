using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Bgtask.Api.Limits;
using Bgtask.Core.Contracts;
using Bgtask.Core.Tasks;
using Bgtask.Worker.Sdk;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launches;

public sealed class LaunchTaskRequestValidator : AbstractValidator<LaunchTaskRequest>
{
    public static readonly string[] Launchers = ["process", "inprocess"];
    public const int MaxTimeoutSeconds = 7 * 24 * 3600;
    public const int MinHeartbeatTimeoutSeconds = 10;

    public LaunchTaskRequestValidator(TaskCatalog catalog, IOptions<ApiLimits> options, IOptions<TasksOptions> tasks)
    {
        var limits = options.Value;
        var commands = tasks.Value.Commands;
        var known = string.Join(", ", catalog.Entries.Select(e => e.Name).Concat(commands.Keys).Order(StringComparer.Ordinal));
        RuleFor(r => r.Task).NotEmpty()
            .Must(name => catalog.TryGet(name!, out _) || commands.ContainsKey(name!))
            .WithMessage(r => $"Unknown task '{r.Task}'. Registered tasks: {known}.");
        RuleFor(r => r.Launcher).Must((r, l) => l != "inprocess" || r.Task is null || !commands.ContainsKey(r.Task))
            .WithMessage(r => $"'{r.Task}' is a command (an executable of its own): it runs only as a process.");
        RuleFor(r => r.Launcher).Must(l => l is null || Launchers.Contains(l))
            .WithMessage($"Unknown launcher. Launchers: {string.Join(", ", Launchers)} " +
                         "(external records are created with POST /api/tasks/records).");
        RuleFor(r => r.Description).MaximumLength(limits.MaxDescriptionLength);
        RuleFor(r => r.Parent).GreaterThan(0);
        RuleFor(r => r.TimeoutSeconds).InclusiveBetween(1, MaxTimeoutSeconds);
        // Workers report at least every 5 s: a shorter timeout would end healthy tasks.
        RuleFor(r => r.HeartbeatTimeoutSeconds).InclusiveBetween(MinHeartbeatTimeoutSeconds, MaxTimeoutSeconds);
        RuleFor(r => r.Exclusive).Must((r, e) => ExclusiveKeys.IsValid(e, r.Task)).WithMessage(ExclusiveKeys.Rule);
        RuleFor(r => r.Config).Cascade(CascadeMode.Stop)
            .Must(c => c is null || c.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null)
            .WithMessage("'config' is a JSON object.")
            // The JSON reader does not check the UTF-8 inside strings; text that is not UTF-8 cannot be stored.
            .Must(c => c is null || Utf8.IsValid(JsonMarshal.GetRawUtf8Value(c.Value)))
            .WithMessage("'config' is not valid UTF-8.")
            .Must(c => c is null || JsonMarshal.GetRawUtf8Value(c.Value).Length <= limits.MaxConfigBytes)
            .WithMessage($"'config' is over the limit of {limits.MaxConfigBytes} bytes of JSON.");
    }
}
