using System.Net;
using System.Net.Sockets;

namespace Bgtask.Testing;

/// <summary>
/// The ports of a Galera cluster on one machine, each the same on every node's address: SQL (a MySqlConnector host
/// list shares one port), group communication, incremental state transfer (IST) and full state transfer (SST). Free
/// ones rather than Galera's 3306/4567/4568/4444, so that two test runs on one machine do not collide.
/// </summary>
public sealed record GaleraPorts(int Sql, int Group, int Ist, int Sst)
{
    public static GaleraPorts FreeOn(IReadOnlyList<string> addresses)
    {
        var taken = new HashSet<int>();
        return new GaleraPorts(Next(), Next(), Next(), Next());

        int Next()
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var port = Loopback.FreePort(addresses[0]);
                if (taken.Add(port) && addresses.Skip(1).All(address => IsFree(address, port))) return port;
            }
            throw new InvalidOperationException($"No port is free on all of {string.Join(", ", addresses)}.");
        }
    }

    private static bool IsFree(string address, int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Parse(address), port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
