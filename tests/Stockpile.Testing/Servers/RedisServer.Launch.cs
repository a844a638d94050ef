using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Stockpile.Testing.Servers;

/// <content>Finding, launching and pinging redis-server.</content>
public sealed partial class RedisServer
{
    private static readonly string[] SearchPaths = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server"];

    private static string FindExecutable()
    {
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "redis-server"));
        return fromPath.Concat(SearchPaths).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(InstallHint);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var executable = FindExecutable();
        _directory ??= Directory.CreateTempSubdirectory("stockpile-redis-").FullName;
        var logFile = Path.Combine(_directory, "redis.log");
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var argument in BuildArguments(logFile))
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await TryPingAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = File.Exists(logFile) ? await File.ReadAllTextAsync(logFile, cancellationToken).ConfigureAwait(false) : string.Empty;
                await StopAsync().ConfigureAwait(false);
                var message = string.Create(CultureInfo.InvariantCulture, $"redis-server did not answer PING on port {Port}. Its log:\n{log}");
                throw log.Contains("Address already in use", StringComparison.Ordinal)
                    ? new PortTakenException(message)
                    : new InvalidOperationException(message);
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private List<string> BuildArguments(string logFile)
    {
        var port = Port.ToString(CultureInfo.InvariantCulture);
        var arguments = new List<string>
        {
            "--bind", Host, "--save", string.Empty, "--appendonly", "no", "--daemonize", "no",
            "--dir", _directory!, "--logfile", logFile,
        };

        if (_options.Tls)
        {
            _tls ??= SelfSignedCertificate.Create();
            var (certificatePath, keyPath) = _tls.WriteTo(_directory!);
            arguments.AddRange(
            [
                "--port", "0", "--tls-port", port,
                "--tls-cert-file", certificatePath, "--tls-key-file", keyPath, "--tls-ca-cert-file", certificatePath,
                "--tls-auth-clients", "no",
            ]);
        }
        else
        {
            arguments.AddRange(["--port", port]);
        }

        if (_options.Password is { } password)
        {
            arguments.AddRange(["--requirepass", password]);
        }

        if (_options.AclUser is { } user)
        {
            var aclPassword = _options.AclPassword ?? throw new InvalidOperationException("AclUser needs AclPassword.");
            arguments.AddRange(["--user", user, "on", ">" + aclPassword, .. _options.AclRules]);
        }

        arguments.AddRange(_options.ExtraArguments);
        return arguments;
    }

    /// <summary>Accepts exactly the certificate this launcher made, whatever the chain says about it.</summary>
    public bool IsOwnCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && _tls is not null
        && certificate.GetCertHashString(HashAlgorithmName.SHA256) == _tls.Certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private async Task<bool> TryPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Host, Port, cancellationToken).ConfigureAwait(false);
            Stream stream = client.GetStream();
            if (_options.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false, IsOwnCertificate);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken).ConfigureAwait(false);
                stream = tls;
            }

            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);

                // "+PONG", or "-NOAUTH" with a password: either way the server is up.
                return read > 0 && Encoding.ASCII.GetString(buffer, 0, read) is ['+' or '-', ..];
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
    }
}
