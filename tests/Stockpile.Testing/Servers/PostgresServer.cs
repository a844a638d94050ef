using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stockpile.Testing.Servers;

/// <summary>
/// A throwaway PostgreSQL cluster for a test run: <c>initdb</c> in a temporary folder, started with <c>pg_ctl</c> on a
/// free loopback port, stopped and deleted on dispose. Or, when <see cref="EnvironmentVariable"/> holds a connection
/// string, that server instead.
/// </summary>
/// <remarks>
/// Needs the Debian package <c>postgresql</c> (binaries in <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>). Running as
/// root, the server runs as user <c>postgres</c> through <c>runuser</c>. A missing package is a failure with the fix in
/// the message, never a skipped test.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The environment variable that points the tests at an existing server (a full Npgsql connection string).</summary>
    public const string EnvironmentVariable = "STOCKPILE_TEST_POSTGRES";

    private const string ConnectionOptions = "No Reset On Close=true;Max Auto Prepare=20";

    private readonly string? _folder;
    private readonly string? _binaries;

    private PostgresServer(string connectionString, string? folder, string? binaries)
    {
        ConnectionString = connectionString;
        _folder = folder;
        _binaries = binaries;
    }

    /// <summary>Gets the connection string of the test database.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets a value indicating whether the server was started by this instance (and is deleted on dispose).</summary>
    public bool IsOwned => _folder is not null;

    /// <summary>Starts a cluster and creates <paramref name="database"/> in it, or uses the server named by <see cref="EnvironmentVariable"/>.</summary>
    /// <param name="database">The database to create in a started cluster.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed, or did not start.</exception>
    public static async Task<PostgresServer> StartAsync(string database = "stockpile")
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external)
        {
            return new PostgresServer(external, null, null);
        }

        var binaries = FindBinaries();
        var folder = Directory.CreateTempSubdirectory("stockpile-pg-").FullName;
        var server = (PostgresServer?)null;
        try
        {
            var port = FreePort();
            var (data, logs, sockets) = (Path.Combine(folder, "data"), Path.Combine(folder, "log"), Path.Combine(folder, "sock"));
            foreach (var path in new[] { data, logs, sockets })
            {
                Directory.CreateDirectory(path);
            }

            if (IsRoot)
            {
                // The server refuses to run as root, and hangs if it cannot write its log.
                await RunAsync("chown", ["-R", "postgres:postgres", folder], asPostgres: false);
            }

            await RunAsync(Path.Combine(binaries, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], asPostgres: true);
            await RunAsync(Path.Combine(binaries, "pg_ctl"),
                ["-D", data, "-l", Path.Combine(logs, "pg.log"), "-w", "-o", $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"],
                asPostgres: true);
            server = new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database={database};{ConnectionOptions}", folder, binaries);
            await RunAsync(Path.Combine(binaries, "createdb"), ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", database], asPostgres: true);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
            else
            {
                Directory.Delete(folder, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Gets the connection string of another database on the same server.</summary>
    /// <param name="database">The database name.</param>
    /// <returns>The connection string.</returns>
    public string ConnectionStringFor(string database)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        builder["Database"] = database;
        return builder.ConnectionString;
    }

    /// <summary>Stops a started cluster and deletes its files; a server from <see cref="EnvironmentVariable"/> is left alone.</summary>
    /// <returns>A task that completes when the server is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_folder is null)
        {
            return;
        }

        try
        {
            await RunAsync(Path.Combine(_binaries!, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true);
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        var found = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(static d => Path.Combine(d, "bin")).Where(static b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            $"PostgreSQL is not installed: no initdb under {Root}/<version>/bin. Install it with 'apt-get install -y postgresql' (or run ./test.sh, which does), "
            + $"or set {EnvironmentVariable} to the connection string of a server to use.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres && IsRoot ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres && IsRoot)
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{program}'.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' failed with exit code {process.ExitCode}: {await error}{await output}");
        }
    }
}
