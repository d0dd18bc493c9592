using System.Text;
using Bgtask.Api.Limits;
using Bgtask.Core.Contracts;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.TaskLogs;

public sealed class LogAppendRequestValidator : AbstractValidator<LogAppendRequest>
{
    public LogAppendRequestValidator(IOptions<ApiLimits> options)
    {
        var limits = options.Value;
        RuleFor(r => r.Lines).NotNull()
            .Must(l => l!.Count <= limits.MaxLogLinesPerRequest)
            .WithMessage($"At most {limits.MaxLogLinesPerRequest} lines per request.");
        RuleForEach(r => r.Lines).NotNull()
            .Must(l => Encoding.UTF8.GetByteCount(l!) <= limits.MaxLogLineBytes)
            .WithMessage($"A log line is at most {limits.MaxLogLineBytes} bytes.");
    }
}
