using System.Text;

namespace Bgtask.Worker.Client;

/// <summary>
/// The worker's stdout and stderr are pipes to the service that started it. If that service dies, a
/// write would throw (broken pipe) inside the task's code; this writer drops the text instead, so the
/// task keeps working and reporting over HTTP to the service's next run.
/// </summary>
public sealed class ResilientConsoleWriter(TextWriter inner) : TextWriter
{
    private volatile bool _broken;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Guard(() => inner.Write(value));
    public override void Write(string? value) => Guard(() => inner.Write(value));
    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));
    public override void Flush() => Guard(inner.Flush);

    private void Guard(Action write)
    {
        if (_broken) return;
        try { write(); }
        catch (IOException) { _broken = true; }
    }
}
