using System.Diagnostics;
using System.Globalization;

namespace Stockpile.Testing.Servers;

/// <summary>
/// A private three-master Redis Cluster for tests: three <see cref="RedisServer"/>s on free loopback ports with
/// <c>--cluster-enabled yes</c>, joined by <c>redis-cli --cluster create … --cluster-replicas 0</c>. About a second to start.
/// </summary>
/// <remarks>When redis-server or redis-cli is missing, <see cref="StartAsync(CancellationToken)"/> throws with the install command: tests fail, never skip.</remarks>
public sealed class RedisCluster : IAsyncDisposable
{
    /// <summary>What to do when redis-cli is not installed.</summary>
    public const string CliInstallHint =
        "redis-cli was not found (it creates the test cluster). Install it with `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-tools` " +
        "(or run the repository's scripts/install-test-servers.sh).";

    private const int Masters = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] CliSearchPaths = ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli", "/opt/homebrew/bin/redis-cli"];

    private readonly List<RedisServer> _nodes;

    private RedisCluster(List<RedisServer> nodes) => _nodes = nodes;

    /// <summary>Gets the masters' servers.</summary>
    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>Gets a StackExchange.Redis configuration string naming every master (one is enough: the client discovers the rest).</summary>
    public string ConnectionString => string.Join(',', _nodes.Select(n => string.Create(CultureInfo.InvariantCulture, $"{RedisServer.Host}:{n.Port}")));

    /// <summary>Starts three masters, creates the cluster over them, and waits until every node reports <c>cluster_state:ok</c>.</summary>
    /// <exception cref="InvalidOperationException">redis-server or redis-cli is missing (the message says how to install it), or the cluster did not form.</exception>
    public static Task<RedisCluster> StartAsync(CancellationToken cancellationToken = default) => StartAsync(TimeSpan.FromSeconds(5), cancellationToken);

    /// <summary>Starts the cluster with <paramref name="nodeTimeout"/> (<c>cluster-node-timeout</c>): how long a master may be unreachable before the others mark it failed.</summary>
    /// <param name="nodeTimeout">The node timeout; short for tests that kill a node and wait for the cluster to notice and to recover.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The running cluster.</returns>
    /// <exception cref="InvalidOperationException">redis-server or redis-cli is missing (the message says how to install it), or the cluster did not form.</exception>
    public static Task<RedisCluster> StartAsync(TimeSpan nodeTimeout, CancellationToken cancellationToken = default) => StartAsync(nodeTimeout, null, cancellationToken);

    /// <summary>
    /// Starts the cluster with <paramref name="nodeTimeout"/>, each node with the default user's password and the ACL
    /// user of <paramref name="security"/> (its <see cref="RedisServerOptions.ExtraArguments"/> and TLS are not used).
    /// redis-cli is given the password in <c>REDISCLI_AUTH</c>, never on its command line.
    /// </summary>
    /// <param name="nodeTimeout">The node timeout.</param>
    /// <param name="security">The password and ACL user of every node; <see langword="null"/> for an open default user.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The running cluster.</returns>
    /// <exception cref="InvalidOperationException">redis-server or redis-cli is missing (the message says how to install it), or the cluster did not form.</exception>
    public static async Task<RedisCluster> StartAsync(TimeSpan nodeTimeout, RedisServerOptions? security, CancellationToken cancellationToken = default)
    {
        var cli = FindCli();
        var nodes = new List<RedisServer>(Masters);
        var cluster = new RedisCluster(nodes);
        try
        {
            for (var i = 0; i < Masters; i++)
            {
                nodes.Add(await RedisServer.StartAsync(
                    new RedisServerOptions
                    {
                        Password = security?.Password,
                        AclUser = security?.AclUser,
                        AclPassword = security?.AclPassword,
                        AclRules = security?.AclRules ?? ["~*", "&*", "+@all"],
                        ExtraArguments = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", ((int)nodeTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)],
                    },
                    cancellationToken).ConfigureAwait(false));
            }

            var create = new List<string> { "--cluster", "create" };
            create.AddRange(nodes.Select(n => string.Create(CultureInfo.InvariantCulture, $"{RedisServer.Host}:{n.Port}")));
            create.AddRange(["--cluster-replicas", "0", "--cluster-yes"]);
            var (code, output) = await RunAsync(cli, create, security?.Password, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                throw new InvalidOperationException("redis-cli --cluster create failed:\n" + output);
            }

            await cluster.WaitHealthyAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until every node reports <c>cluster_state:ok</c> (after a start, or a node killed and started again).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the cluster is healthy.</returns>
    /// <exception cref="InvalidOperationException">A node did not report it within 30 s.</exception>
    public Task WaitHealthyAsync(CancellationToken cancellationToken = default) => WaitForStateAsync("ok", _nodes, cancellationToken);

    /// <summary>Waits until each of <paramref name="nodes"/> reports <c>cluster_state:</c><paramref name="state"/> (<c>ok</c> or <c>fail</c>).</summary>
    /// <param name="state">The state.</param>
    /// <param name="nodes">The nodes to ask (not one that is down).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when every node reports the state.</returns>
    /// <exception cref="InvalidOperationException">A node did not report it within 30 s.</exception>
    public static async Task WaitForStateAsync(string state, IEnumerable<RedisServer> nodes, CancellationToken cancellationToken = default)
    {
        var cli = FindCli();
        var deadline = DateTime.UtcNow + StartTimeout;
        foreach (var node in nodes)
        {
            while (true)
            {
                var (_, info) = await RunAsync(cli, ["-h", RedisServer.Host, "-p", node.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info"], node.Password, cancellationToken).ConfigureAwait(false);
                if (info.Contains("cluster_state:" + state, StringComparison.Ordinal))
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The test cluster did not reach cluster_state:{state} on port {node.Port} within {StartTimeout.TotalSeconds} s:\n{info}"));
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops every node and deletes their folders.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        _nodes.Clear();
    }

    private static string FindCli()
    {
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "redis-cli"));
        return fromPath.Concat(CliSearchPaths).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(CliInstallHint);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string executable, IEnumerable<string> arguments, string? password, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (password is not null)
        {
            start.Environment["REDISCLI_AUTH"] = password;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException(executable + " did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false) + await error.ConfigureAwait(false));
    }
}
