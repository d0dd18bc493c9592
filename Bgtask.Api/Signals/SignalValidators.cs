using Bgtask.Core.Contracts;
using Bgtask.Core.Tasks;
using FluentValidation;

namespace Bgtask.Api.Signals;

public sealed class SignalRequestValidator : AbstractValidator<SignalRequest>
{
    public SignalRequestValidator() =>
        RuleFor(r => r.Signal).NotEmpty().Must(SignalNames.IsValid)
            .WithMessage("'signal' is sleep, continue, stop, or a custom name matching ^[a-z][a-z0-9_.-]{0,63}$.");
}
