using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Bgtask.Tests.WorkerChannel;

/// <summary>
/// A TCP relay on loopback in front of a server, whose <see cref="Cut"/> drops every connection through it at once:
/// a network blip between a worker and the service, with both ends left running.
/// </summary>
internal sealed class CuttableRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;

    public CuttableRelay(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public void Cut()
    {
        foreach (var socket in _open.Keys)
        {
            _open.TryRemove(socket, out _);
            socket.Close(0);
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(Socket inbound)
    {
        var outbound = new Socket(SocketType.Stream, ProtocolType.Tcp);
        _open[inbound] = 0;
        _open[outbound] = 0;
        try
        {
            await outbound.ConnectAsync(_target.Host, _target.Port);
            await using var a = new NetworkStream(inbound, ownsSocket: false);
            await using var b = new NetworkStream(outbound, ownsSocket: false);
            await Task.WhenAny(a.CopyToAsync(b), b.CopyToAsync(a));
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            foreach (var socket in new[] { inbound, outbound })
            {
                _open.TryRemove(socket, out _);
                socket.Close(0);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        Cut();
        await _accepting;
    }
}
