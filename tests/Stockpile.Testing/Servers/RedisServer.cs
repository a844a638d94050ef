using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Stockpile.Testing.Servers;

/// <summary>
/// A private redis-server for tests: a free loopback port, a fresh temporary folder, no persistence.
/// It can be stopped and started again on the same port, to test reconnects.
/// </summary>
/// <remarks>
/// When redis-server is missing, <see cref="StartAsync"/> throws with the install command: tests fail, never skip.
/// Tests that do not need a private server may use <see cref="ExternalUrlVariable"/> instead.
/// </remarks>
public sealed partial class RedisServer : IAsyncDisposable
{
    /// <summary>The environment variable that names an existing server (URL or connection string) for tests that can share one.</summary>
    public const string ExternalUrlVariable = "STOCKPILE_TEST_REDIS_URL";

    /// <summary>What to do when redis-server is not installed.</summary>
    public const string InstallHint =
        "redis-server was not found. Install it with `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools` " +
        "(or run the repository's ./test.sh), or set " + ExternalUrlVariable + " to an existing server for the tests that can share one.";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly RedisServerOptions _options;
    private Process? _process;
    private string? _directory;
    private SelfSignedCertificate? _tls;

    private RedisServer(RedisServerOptions options, int port)
    {
        _options = options;
        Port = port;
    }

    /// <summary>Gets the host the server listens on: <c>127.0.0.1</c>.</summary>
    public static string Host => "127.0.0.1";

    /// <summary>Gets the value of <see cref="ExternalUrlVariable"/>, or <see langword="null"/>.</summary>
    public static string? ExternalUrl =>
        Environment.GetEnvironmentVariable(ExternalUrlVariable) is { Length: > 0 } url ? url : null;

    /// <summary>Gets the port, kept across <see cref="RestartAsync"/>.</summary>
    public int Port { get; }

    /// <summary>Gets the self-signed certificate the server presents when started with TLS.</summary>
    public X509Certificate2? Certificate => _tls?.Certificate;

    /// <summary>Gets a StackExchange.Redis-style connection string, with the default user's password and <c>ssl</c> if any.</summary>
    public string ConnectionString =>
        string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}")
        + (_options.Password is { } password ? ",password=" + password : string.Empty)
        + (_options.Tls ? ",ssl=true" : string.Empty);

    /// <summary>Gets the server as a <c>redis://</c> (or <c>rediss://</c>) URL, password percent-encoded.</summary>
    public string Url =>
        (_options.Tls ? "rediss://" : "redis://")
        + (_options.Password is { } password ? ":" + Uri.EscapeDataString(password) + "@" : string.Empty)
        + string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>Gets the default user's password (<see cref="RedisServerOptions.Password"/>), or <see langword="null"/>.</summary>
    public string? Password => _options.Password;

    /// <summary>Gets a value indicating whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free loopback port and waits until it answers PING.</summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed (the message says how to install it), or did not start.</exception>
    public static async Task<RedisServer> StartAsync(RedisServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RedisServerOptions();
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(options, FindFreePort());
            try
            {
                await server.LaunchAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (PortTakenException) when (attempt < 5)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Kills the server and deletes its folder; the port is kept for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
            process.Dispose();
        }

        if (_directory is { } directory)
        {
            _directory = null;
            TryDelete(directory);
        }
    }

    /// <summary>
    /// Kills the server (<c>SIGKILL</c>) and keeps its folder, so that <see cref="StartAgainAsync"/> starts it with the
    /// same files: a cluster node comes back with its <c>nodes.conf</c> (its identity and slots), and no data.
    /// </summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("The server is not running.");
        _process = null;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
    }

    /// <summary>Freezes the server (<c>SIGSTOP</c>): it keeps its connections and data, and answers nothing until <see cref="ThawAsync"/>.</summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    /// <summary>Lets a frozen server go on (<c>SIGCONT</c>): it answers what it was sent meanwhile.</summary>
    public Task ThawAsync() => SignalAsync("-CONT");

    /// <summary>Starts a stopped (or killed) server again, on the same port, empty.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default) => LaunchAsync(cancellationToken);

    /// <summary>Stops the server and starts it again on the same port (data is lost).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);
        await StartAgainAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _tls?.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        var process = _process ?? throw new InvalidOperationException("The server is not running.");
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync().ConfigureAwait(false);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"kill {signal} {process.Id} exited with {kill.ExitCode}."));
        }
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    private sealed class PortTakenException(string message) : Exception(message);
}
