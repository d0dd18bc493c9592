using System.Net;
using System.Net.Sockets;

namespace Bgtask.Testing;

public static class Loopback
{
    /// <summary>A port free on 127.0.0.1 right now; whoever binds it next may still lose a race for it.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
