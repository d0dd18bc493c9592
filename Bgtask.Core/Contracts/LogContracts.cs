using Bgtask.Core.Tasks;

namespace Bgtask.Core.Contracts;

public sealed record LogAppendRequest(IReadOnlyList<string?>? Lines);

public sealed record LogLineResponse(long Seq, DateTime At, string Line)
{
    public static LogLineResponse From(TaskLogLine l) => new(l.Seq, l.At, l.Line);
}

public sealed record LogPage(IReadOnlyList<LogLineResponse> Items, long? Next);
