using System.Net;
using System.Net.Sockets;

namespace Bgtask.Testing;

public static class Loopback
{
    /// <summary>A port free on the address (127.0.0.1 by default) right now; whoever binds it next may still lose a race for it.</summary>
    public static int FreePort(string address = "127.0.0.1")
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
