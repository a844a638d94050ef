using Stockpile.Internal.Tags;

namespace Stockpile;

public sealed partial class StockpileEntityType
{
    private EntityTagSelector? _tagSelector;
    private int _tagVersion = -1;

    /// <summary>
    /// Gets the type's tag selector, or <see langword="null"/> for a type without tags. Read by stores when they write an
    /// entity, never on a read; resolved again after a registration.
    /// </summary>
    internal EntityTagSelector? TagSelector
    {
        get
        {
            var version = EntityTagRegistry.Version;
            if (Volatile.Read(ref _tagVersion) == version)
            {
                return _tagSelector;
            }

            var selector = EntityTagRegistry.Resolve(this);
            _tagSelector = selector;
            Volatile.Write(ref _tagVersion, version);
            return selector;
        }
    }
}
