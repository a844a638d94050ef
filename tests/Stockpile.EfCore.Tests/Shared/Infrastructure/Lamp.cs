using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Stockpile.EfCore.Tests.Infrastructure;

/// <summary>An entity that tells EF Core of each change as it happens (<see cref="NotifyingDbContext"/>).</summary>
public sealed class Lamp : INotifyPropertyChanging, INotifyPropertyChanged
{
    private int _id;
    private string _name = "";

    public event PropertyChangingEventHandler? PropertyChanging;

    public event PropertyChangedEventHandler? PropertyChanged;

    [StockpileKey]
    public int Id
    {
        get => _id;
        set => Set(ref _id, value);
    }

    public string Name
    {
        get => _name;
        set => Set(ref _name, value);
    }

    private void Set<T>(ref T field, T value, [CallerMemberName] string name = "")
    {
        PropertyChanging?.Invoke(this, new PropertyChangingEventArgs(name));
        field = value;
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
    }
}
