using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stockpile.Internal;

namespace Stockpile;

/// <summary>
/// Layers stores as write-through tiers, from the fastest (first) to the source of truth (last).
/// </summary>
/// <remarks>
/// <para><b>Reads</b> ask each tier in turn; the first hit answers and is written back into every tier above it, each
/// with its own lifetime policy. A batch read asks each tier once, for the look-ups still missing. A cache tier that
/// fails a read counts as a miss and is logged (see <see cref="ChainedStoreOptions.ThrowOnCacheReadFailure"/>); a
/// failed back-fill is logged and the read still succeeds. Each tier is read and back-filled through the chain-to-tier
/// protocol (<see cref="ObjectStore.BackfillCoreAsync"/>): a tier's back-fill gets back the lease its own read returned.
/// Concurrent misses of one look-up in this chain read the tiers below the top once and share the result; batches join
/// reads under way.</para>
/// <para><b>Puts</b> go to the bottom tier first, then upward, so no cache holds what the source of truth refused. A
/// tier that fails stops the tiers above it, and its exception reaches the caller.</para>
/// <para><b>Deletes</b> go to every tier, bottom first. A back-fill that races a put or delete of the same type is
/// undone, so once a delete returns no tier serves the object. A tier that fails a delete does not stop the others;
/// the failures reach the caller afterwards.</para>
/// </remarks>
public sealed partial class ChainedStore : ObjectStore
{
    private readonly ObjectStore[] _tiers;
    private readonly ObjectStore _top;
    private readonly bool _topIsProcessLocal;
    private readonly MemoryStore? _topMemory;
    private readonly ChainedStoreOptions _options;
    private readonly ILogger _logger;
    private readonly StockpileMetrics _metrics;
    private readonly ConcurrentDictionary<Type, WriteEpoch> _epochs = new();

    /// <summary>Initializes a new instance of the <see cref="ChainedStore"/> class.</summary>
    /// <param name="tiers">The tiers, fastest first, source of truth last.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="tiers"/> is null, empty, or holds a null or repeated tier.</exception>
    public ChainedStore(IEnumerable<ObjectStore> tiers, ChainedStoreOptions? options = null, ILogger<ChainedStore>? logger = null)
        : this(tiers, options, logger, null)
    {
    }

    internal ChainedStore(IEnumerable<ObjectStore> tiers, ChainedStoreOptions? options, ILogger? logger, StockpileMetrics? metrics)
        : base((options ??= new ChainedStoreOptions()).Name, isPolymorphic: false)
    {
        _tiers = tiers?.ToArray() ?? throw new ArgumentException("A chain needs at least one tier; the tier list is null.", nameof(tiers));
        if (_tiers.Length == 0)
        {
            throw new ArgumentException("A chain needs at least one tier; the tier list is empty.", nameof(tiers));
        }

        if (_tiers.Any(static t => t is null))
        {
            throw new ArgumentException("A chain's tiers cannot be null.", nameof(tiers));
        }

        if (_tiers.Distinct().Count() != _tiers.Length)
        {
            throw new ArgumentException("A chain cannot hold the same store twice.", nameof(tiers));
        }

        _top = _tiers[0];
        _topIsProcessLocal = _top.IsProcessLocal;
        _topMemory = _top as MemoryStore;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics ?? StockpileMetrics.Shared;
        _metrics.Track(_tiers);
    }

    /// <summary>Gets the tiers, fastest first.</summary>
    public IReadOnlyList<ObjectStore> Tiers => _tiers;

    /// <inheritdoc/>
    public override bool IsSourceOfTruth => _tiers[^1].IsSourceOfTruth;

    private ObjectStore Bottom => _tiers[^1];

    private bool IsCache(int tier) => tier < _tiers.Length - 1 || !_tiers[tier].IsSourceOfTruth;

    private WriteEpoch EpochOf(StockpileEntityType entityType) =>
        _epochs.GetOrAdd(entityType.PrimaryKey.DeclaringType, static _ => new WriteEpoch());
}
