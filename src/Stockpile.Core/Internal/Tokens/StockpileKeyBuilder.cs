using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stockpile.Internal.Tokens;

/// <summary>
/// The <see cref="IStockpileKeyBuilder"/> over a <see cref="TokenStore"/>; also what the EF Core interceptor bumps after
/// a commit. Bumps that failed are kept and retried first: until they succeed, keys built here are never-used ones.
/// </summary>
internal sealed class StockpileKeyBuilder(TokenStore store, ILogger? logger = null) : IStockpileKeyBuilder
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly HashSet<string> _unbumped = new(StringComparer.Ordinal);
    private readonly Lock _unbumpedLock = new();
    private volatile bool _hasUnbumped;

    /// <summary>Gets the store the tokens live in.</summary>
    public TokenStore Store => store;

    public async ValueTask<string> BuildAsync(StockpileKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        string[]? values = [];
        var names = key.Tokens.Count == 0 ? [] : key.Tokens.Distinct(StringComparer.Ordinal).ToArray();
        if (names.Length > 0)
        {
            if (_hasUnbumped && !await RetryUnbumpedAsync(cancellationToken).ConfigureAwait(false))
            {
                values = null;
            }
            else
            {
                values = await ReadAsync(names, cancellationToken).ConfigureAwait(false);
            }
        }

        if (values is null)
        {
            // The tokens are unknown: a key never used before is a miss, never a stale hit.
            Log.TokensUnavailable(_logger, key.Name);
            return key.Name + ":~" + TokenStore.NewValue();
        }

        return key.Name + ":" + Hash(key, names, values);
    }

    public ValueTask InvalidateAsync(StockpileKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return BumpAsync(key.Tokens.Distinct(StringComparer.Ordinal).ToArray(), cancellationToken);
    }

    /// <summary>Gives the tokens new values; when the store fails, keeps them to retry and rethrows.</summary>
    public async ValueTask BumpAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0)
        {
            return;
        }

        try
        {
            await store.BumpAsync(names, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            lock (_unbumpedLock)
            {
                _unbumped.UnionWith(names);
                _hasUnbumped = true;
            }

            throw;
        }
    }

    private async ValueTask<string[]?> ReadAsync(string[] names, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetAsync(names, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.TokenReadFailed(_logger, ex);
            return null;
        }
    }

    /// <summary>Bumps again what failed to bump; <see langword="false"/> while that still fails.</summary>
    private async ValueTask<bool> RetryUnbumpedAsync(CancellationToken cancellationToken)
    {
        string[] pending;
        lock (_unbumpedLock)
        {
            pending = [.. _unbumped];
        }

        if (pending.Length == 0)
        {
            return true;
        }

        try
        {
            await store.BumpAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.TokenReadFailed(_logger, ex);
            return false;
        }

        lock (_unbumpedLock)
        {
            _unbumped.ExceptWith(pending);
            _hasUnbumped = _unbumped.Count > 0;
        }

        return true;
    }

    /// <summary>128 bits of SHA-256 over the values and tokens, base64url: the same in every process, never equal for other inputs.</summary>
    private static string Hash(StockpileKey key, string[] names, string[] values)
    {
        var text = new StringBuilder();
        foreach (var value in key.Values)
        {
            text.Append(value).Append('\u0001');
        }

        text.Append('\u0002');
        foreach (var token in key.Tokens)
        {
            var index = Array.IndexOf(names, token);
            text.Append(token).Append('\u0001').Append(values[index]).Append('\u0002');
        }

        var input = text.ToString();
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(input.Length));
        try
        {
            var written = Encoding.UTF8.GetBytes(input, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes.AsSpan(0, written), hash);
            return Convert.ToBase64String(hash[..16]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
