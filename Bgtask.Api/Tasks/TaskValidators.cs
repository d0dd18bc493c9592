using Bgtask.Api.Limits;
using Bgtask.Core.Contracts;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Tasks;

public sealed class CreateRecordRequestValidator : AbstractValidator<CreateRecordRequest>
{
    public CreateRecordRequestValidator(IOptions<ApiLimits> limits)
    {
        RuleFor(r => r.Description).NotEmpty().MaximumLength(limits.Value.MaxDescriptionLength);
        RuleFor(r => r.Task).NotEmpty().MaximumLength(StorageLimits.TaskName).When(r => r.Task is not null);
        RuleFor(r => r.Parent).GreaterThan(0);
        RuleFor(r => r.Exclusive).Must((r, e) => ExclusiveKeys.IsValid(e, r.Task ?? TaskEndpoints.ExternalTaskName))
            .WithMessage(ExclusiveKeys.Rule);
    }
}

public sealed class StateRequestValidator : AbstractValidator<StateRequest>
{
    public StateRequestValidator()
    {
        RuleFor(r => r.OpTotal).NotNull().GreaterThanOrEqualTo(0);
        RuleFor(r => r.OpFinished).NotNull().GreaterThanOrEqualTo(0);
        RuleFor(r => r.OpFinished).LessThanOrEqualTo(r => r.OpTotal)
            .When(r => r.OpTotal > 0)
            .WithMessage("'opFinished' must not be greater than 'opTotal' (unless 'opTotal' is 0).");
        RuleFor(r => r.Status).Must(s => s is "running" or "sleeping")
            .When(r => r.Status is not null)
            .WithMessage("'status' here is 'running' or 'sleeping'; the other statuses have routes of their own " +
                         "(started, finished, stopped, error).");
        RuleFor(r => r.Memory).GreaterThanOrEqualTo(0);
        RuleFor(r => r.MemoryPeak).GreaterThanOrEqualTo(0);
    }
}

public sealed class MessageRequestValidator : AbstractValidator<MessageRequest>
{
    public MessageRequestValidator(IOptions<ApiLimits> limits) =>
        RuleFor(r => r.Message).MaximumLength(limits.Value.MaxMessageLength);
}
